/* blob-s3.c - the S3-compatible blob store (AWS S3, Ceph RGW, MinIO,
 * Garage) through libcurl and its built-in AWS SigV4 signing.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Streaming without holding a file in memory: a put is written to an
 * unlinked temp file in STATE/blobs-tmp and uploaded from it at finish (S3
 * needs the length before the body); a get is downloaded into one and read
 * from it.  Credentials come from a file in the AWS format
 * ("[default]" aws_access_key_id, aws_secret_access_key) that must not be
 * readable by group or others.
 *
 * libcurl is loaded on demand (issue 14): with its TLS stack it is some 25
 * shared libraries, which every listdeliver run paid for at start-up
 * (about 4 ms of CPU) although most sites keep blobs on local disk.  The
 * few functions used are looked up once, at the first request.
 */
#include "blob-private.h"

/* the type-checking macros of curl.h call the real functions by name */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  RfBlobStore parent;
  char *base;          /* URL up to and including the bucket, ending in '/' */
  char *sigv4;         /* "aws:amz:<region>:s3" */
  char *access_key;
  char *secret_key;
  char *tmp_dir;
} S3Store;

typedef struct {
  RfBlobWriter parent;
  int fd;
  char *id;
} S3Writer;

typedef struct {
  RfBlobReader parent;
  int fd;
} S3Reader;

static struct {
  CURLcode (*global_init) (long flags);
  CURL *(*easy_init) (void);
  CURLcode (*easy_setopt) (CURL *curl, CURLoption option, ...);
  CURLcode (*easy_perform) (CURL *curl);
  CURLcode (*easy_getinfo) (CURL *curl, CURLINFO info, ...);
  void (*easy_cleanup) (CURL *curl);
  const char *(*easy_strerror) (CURLcode code);
  struct curl_slist *(*slist_append) (struct curl_slist *list, const char *string);
  void (*slist_free_all) (struct curl_slist *list);
} lib;
static char *lib_error;   /* why libcurl could not be loaded, or NULL */

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init lib.global_init
#define curl_easy_init lib.easy_init
#define curl_easy_setopt lib.easy_setopt
#define curl_easy_perform lib.easy_perform
#define curl_easy_getinfo lib.easy_getinfo
#define curl_easy_cleanup lib.easy_cleanup
#define curl_easy_strerror lib.easy_strerror
#define curl_slist_append lib.slist_append
#define curl_slist_free_all lib.slist_free_all

/* Load libcurl (its soname: the ABI the headers describe) and initialise
 * it, once.  FALSE with @error when it is not there. */
static gboolean
s3_global_init (GError **error)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      void *handle = dlopen ("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

      if (handle == NULL)
        lib_error = g_strdup (dlerror ());
      else
        {
          struct { void **slot; const char *name; } syms[] = {
            { (void **) &lib.global_init, "curl_global_init" },
            { (void **) &lib.easy_init, "curl_easy_init" },
            { (void **) &lib.easy_setopt, "curl_easy_setopt" },
            { (void **) &lib.easy_perform, "curl_easy_perform" },
            { (void **) &lib.easy_getinfo, "curl_easy_getinfo" },
            { (void **) &lib.easy_cleanup, "curl_easy_cleanup" },
            { (void **) &lib.easy_strerror, "curl_easy_strerror" },
            { (void **) &lib.slist_append, "curl_slist_append" },
            { (void **) &lib.slist_free_all, "curl_slist_free_all" },
          };

          for (gsize i = 0; i < G_N_ELEMENTS (syms) && lib_error == NULL; i++)
            if ((*syms[i].slot = dlsym (handle, syms[i].name)) == NULL)
              lib_error = g_strdup_printf ("libcurl.so.4 has no %s", syms[i].name);
          if (lib_error == NULL)
            curl_global_init (CURL_GLOBAL_DEFAULT);
        }
      g_once_init_leave (&once, 1);
    }
  if (lib_error != NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "blob store: the S3 client needs libcurl: %s", lib_error);
      return FALSE;
    }
  return TRUE;
}

/* An unlinked temp file: nothing is left behind whatever happens. */
static int
tmp_fd (S3Store *store, GError **error)
{
  g_autofree char *path = g_build_filename (store->tmp_dir, "s3.XXXXXX", NULL);
  int fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: cannot create %s: %s",
                   path, g_strerror (saved));
      return -1;
    }
  unlink (path);
  return fd;
}

static size_t
read_cb (char *buf, size_t size, size_t nitems, void *user_data)
{
  ssize_t n;

  do
    n = read (GPOINTER_TO_INT (user_data), buf, size * nitems);
  while (n < 0 && errno == EINTR);
  return n < 0 ? CURL_READFUNC_ABORT : (size_t) n;
}

static size_t
write_cb (char *buf, size_t size, size_t nitems, void *user_data)
{
  return rf_write_all (GPOINTER_TO_INT (user_data), buf, size * nitems) ? size * nitems
                                                                             : 0;
}

static size_t
discard_cb (char *buf, size_t size, size_t nitems, void *user_data)
{
  return size * nitems;
}

/* One request.  @method: "PUT" (body from @fd), "GET" (body into @fd),
 * "HEAD", "DELETE".  *status_out: the HTTP status. */
static gboolean
request (S3Store *store, const char *method, const char *id, int fd, long *status_out,
         GError **error)
{
  g_autofree char *url = g_strconcat (store->base, id, NULL);
  CURL *curl;
  struct curl_slist *headers = NULL;
  CURLcode rc;
  char errbuf[CURL_ERROR_SIZE] = "";

  if (!s3_global_init (error))
    return FALSE;
  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: cannot start libcurl");
      return FALSE;
    }
  /* S3 wants the payload's hash in a header; the body is streamed, so it
   * is declared unsigned (TLS protects it on the way) */
  headers = curl_slist_append (headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_AWS_SIGV4, store->sigv4);
  curl_easy_setopt (curl, CURLOPT_USERNAME, store->access_key);
  curl_easy_setopt (curl, CURLOPT_PASSWORD, store->secret_key);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 15L);
  /* a stalled transfer: under 1 KiB/s for a minute */
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, discard_cb);
  if (g_str_equal (method, "PUT"))
    {
      struct stat st;

      if (fstat (fd, &st) != 0 || lseek (fd, 0, SEEK_SET) != 0)
        {
          int saved = errno;
          curl_slist_free_all (headers);
          curl_easy_cleanup (curl);
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: temp file: %s",
                       g_strerror (saved));
          return FALSE;
        }
      curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (curl, CURLOPT_READDATA, GINT_TO_POINTER (fd));
      curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) st.st_size);
    }
  else if (g_str_equal (method, "GET"))
    {
      curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
      curl_easy_setopt (curl, CURLOPT_WRITEDATA, GINT_TO_POINTER (fd));
    }
  else if (g_str_equal (method, "HEAD"))
    curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
  else
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);

  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, status_out);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  if (rc != CURLE_OK)
    {
      /* the message names the host, never the credentials */
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: %s %s: %s", method,
                   store->base, *errbuf != '\0' ? errbuf : curl_easy_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

static gboolean
bad_status (GError **error, const char *method, long status)
{
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: %s answered HTTP %ld",
               method, status);
  return FALSE;
}

static void
s3_free (RfBlobStore *base)
{
  S3Store *store = (S3Store *) base;

  g_free (store->base);
  g_free (store->sigv4);
  g_free (store->access_key);
  if (store->secret_key != NULL)
    rf_wipe_string (store->secret_key);
  g_free (store->secret_key);
  g_free (store->tmp_dir);
  g_free (store);
}

static RfBlobWriter *
s3_put_begin (RfBlobStore *base, const char *id, GError **error)
{
  int fd = tmp_fd ((S3Store *) base, error);
  S3Writer *writer;

  if (fd < 0)
    return NULL;
  writer = g_new0 (S3Writer, 1);
  writer->parent.store = base;
  writer->fd = fd;
  writer->id = g_strdup (id);
  return &writer->parent;
}

static gboolean
s3_write (RfBlobWriter *base, const void *data, gsize len, GError **error)
{
  if (!rf_write_all (((S3Writer *) base)->fd, data, len))
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: temp file: %s",
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
s3_abort (RfBlobWriter *base)
{
  S3Writer *writer = (S3Writer *) base;

  close (writer->fd);
  g_free (writer->id);
  g_free (writer);
}

static gboolean
s3_finish (RfBlobWriter *base, GError **error)
{
  S3Writer *writer = (S3Writer *) base;
  long status = 0;
  gboolean ok = request ((S3Store *) base->store, "PUT", writer->id, writer->fd, &status,
                         error);

  if (ok && status != 200)
    ok = bad_status (error, "PUT", status);
  s3_abort (base);
  return ok;
}

static RfBlobReader *
s3_get (RfBlobStore *base, const char *id, GError **error)
{
  S3Reader *reader;
  long status = 0;
  int fd = tmp_fd ((S3Store *) base, error);

  if (fd < 0)
    return NULL;
  if (!request ((S3Store *) base, "GET", id, fd, &status, error))
    {
      close (fd);
      return NULL;
    }
  if (status == 404)
    {
      close (fd);
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such blob");
      return NULL;
    }
  if (status != 200 || lseek (fd, 0, SEEK_SET) != 0)
    {
      close (fd);
      bad_status (error, "GET", status);
      return NULL;
    }
  reader = g_new0 (S3Reader, 1);
  reader->parent.store = base;
  reader->fd = fd;
  return &reader->parent;
}

static gssize
s3_read (RfBlobReader *base, void *buf, gsize len, GError **error)
{
  ssize_t n;

  do
    n = read (((S3Reader *) base)->fd, buf, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: temp file: %s",
                   g_strerror (saved));
      return -1;
    }
  return n;
}

static void
s3_reader_free (RfBlobReader *base)
{
  close (((S3Reader *) base)->fd);
  g_free (base);
}

static gboolean
s3_remove (RfBlobStore *base, const char *id, GError **error)
{
  long status = 0;

  if (!request ((S3Store *) base, "DELETE", id, -1, &status, error))
    return FALSE;
  if (status != 200 && status != 204 && status != 404)
    return bad_status (error, "DELETE", status);
  return TRUE;
}

static gboolean
s3_exists (RfBlobStore *base, const char *id, gboolean *exists_out, GError **error)
{
  long status = 0;

  if (!request ((S3Store *) base, "HEAD", id, -1, &status, error))
    return FALSE;
  if (status != 200 && status != 404)
    return bad_status (error, "HEAD", status);
  *exists_out = status == 200;
  return TRUE;
}

static const RfBlobOps s3_ops = {
  "s3",   s3_free, s3_put_begin,   s3_write,  s3_finish, s3_abort,
  s3_get, s3_read, s3_reader_free, s3_remove, s3_exists,
  NULL,   /* its temporary files are unlinked from the start */
};

static gboolean
load_credentials (S3Store *store, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  struct stat st;

  if (stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: the credentials are readable by others: chmod 600 it", path);
      return FALSE;
    }
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local) ||
      (store->access_key = g_key_file_get_string (kf, "default", "aws_access_key_id", &local)) ==
          NULL ||
      (store->secret_key =
           g_key_file_get_string (kf, "default", "aws_secret_access_key", &local)) == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: %s (expected [default] aws_access_key_id and aws_secret_access_key)",
                   path, local->message);
      return FALSE;
    }
  g_strstrip (store->access_key);
  g_strstrip (store->secret_key);
  return TRUE;
}

RfBlobStore *
_rf_blob_s3_open (const RfConfig *config, GError **error)
{
  S3Store *store = g_new0 (S3Store, 1);
  g_autofree char *endpoint = g_strdup (config->s3_endpoint);
  char *slash;

  store->parent.ops = &s3_ops;
  if (!load_credentials (store, config->s3_credentials_file, error) ||
      (store->tmp_dir = _rf_blob_tmp_dir (config, error)) == NULL)
    {
      s3_free (&store->parent);
      return NULL;
    }
  while (g_str_has_suffix (endpoint, "/"))
    endpoint[strlen (endpoint) - 1] = '\0';
  if (g_str_equal (config->s3_addressing, "virtual"))
    {
      /* https://host[:port] -> https://bucket.host[:port]/ */
      slash = strstr (endpoint, "://");
      *slash = '\0';
      store->base = g_strdup_printf ("%s://%s.%s/", endpoint, config->s3_bucket, slash + 3);
    }
  else
    store->base = g_strdup_printf ("%s/%s/", endpoint, config->s3_bucket);
  store->sigv4 = g_strdup_printf ("aws:amz:%s:s3", config->s3_region);
  return &store->parent;
}
