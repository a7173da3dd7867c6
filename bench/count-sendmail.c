/* count-sendmail - a sendmail(8) stand-in for bench/fanout.sh that delivers
 * nothing: it reads the whole message, checks that argv ends with
 * "-- RECIPIENT", and appends one byte to a counter file (O_APPEND makes
 * concurrent callers safe), so the count is the file's size.
 * The counter file is $COUNT_SENDMAIL_FILE, else COUNT_FILE given to cc. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef COUNT_FILE
#define COUNT_FILE "/tmp/count-sendmail.count"
#endif

int
main (int argc, char **argv)
{
  char buf[65536];
  ssize_t n;
  const char *path = getenv ("COUNT_SENDMAIL_FILE");
  int fd;

  if (argc < 3 || strcmp (argv[argc - 2], "--") != 0 || !strchr (argv[argc - 1], '@'))
    return 64;
  while ((n = read (0, buf, sizeof buf)) > 0)
    ;
  if (n < 0)
    return 75;
  fd = open (path ? path : COUNT_FILE, O_WRONLY | O_APPEND | O_CREAT, 0666);
  if (fd < 0 || write (fd, "1", 1) != 1)
    return 75;
  return close (fd) == 0 ? 0 : 75;
}
