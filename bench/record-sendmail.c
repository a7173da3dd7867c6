/* record-sendmail - a sendmail(8) stand-in for bench/kill.sh that delivers
 * nothing but records each copy: it reads the whole message, checks that
 * argv ends with "-- RECIPIENT", and appends one line to a log file in one
 * write (O_APPEND makes concurrent callers safe):
 *
 *     RECIPIENT whole BYTES
 *                        the copy (BYTES long) ended with the post's last line
 *     RECIPIENT partial BYTES
 *                        it did not: its input stopped early, after BYTES
 *                        bytes (a real sendmail -oi would have queued that
 *                        truncated copy)
 *
 * The log is RECORD_FILE and the post's last line RECORD_TAIL (without its
 * newline), both given to cc. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef RECORD_FILE
#error "cc -DRECORD_FILE='\"/path/of/the/log\"'"
#endif
#ifndef RECORD_TAIL
#error "cc -DRECORD_TAIL='\"the last line of the post\"'"
#endif

int
main (int argc, char **argv)
{
  static const char tail[] = RECORD_TAIL "\n";
  const size_t tail_len = sizeof tail - 1;
  char buf[65536], last[sizeof tail];
  size_t have = 0;
  unsigned long long total = 0;
  ssize_t n;
  char line[1024];
  int fd, len;

  if (argc < 3 || strcmp (argv[argc - 2], "--") != 0 || !strchr (argv[argc - 1], '@'))
    return 64;
  /* keep the last tail_len bytes read */
  while ((n = read (0, buf, sizeof buf)) > 0)
    {
      size_t got = (size_t) n;

      total += got;

      if (got >= tail_len)
        {
          memcpy (last, buf + got - tail_len, tail_len);
          have = tail_len;
        }
      else
        {
          size_t keep = have + got > tail_len ? tail_len - got : have;

          memmove (last, last + have - keep, keep);
          memcpy (last + keep, buf, got);
          have = keep + got;
        }
    }
  if (n < 0)
    return 75;
  if (have == tail_len && memcmp (last, tail, tail_len) == 0)
    len = snprintf (line, sizeof line, "%s whole %llu\n", argv[argc - 1], total);
  else
    len = snprintf (line, sizeof line, "%s partial %llu\n", argv[argc - 1], total);
  if (len < 0 || (size_t) len >= sizeof line)
    return 64;
  fd = open (RECORD_FILE, O_WRONLY | O_APPEND | O_CREAT, 0666);
  if (fd < 0 || write (fd, line, (size_t) len) != len)
    return 75;
  return close (fd) == 0 ? 0 : 75;
}
