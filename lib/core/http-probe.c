/* http-probe.c - does a URL answer?  For 'listctl check' (issue 13): that
 * [web] base_url reaches listweb.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "core/core.h"

#include <curl/curl.h>

static size_t
discard (char *data, size_t size, size_t n, void *user_data)
{
  return size * n;
}

gboolean
rf_http_probe (const char *url, guint timeout_seconds, long *status_out, GError **error)
{
  CURL *curl = curl_easy_init ();
  char message[CURL_ERROR_SIZE] = "";
  CURLcode rc;
  long status = 0;

  if (curl == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot start libcurl");
      return FALSE;
    }
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) timeout_seconds);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, message);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  rc = curl_easy_perform (curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);
  if (rc != CURLE_OK)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s",
                   *message != '\0' ? message : curl_easy_strerror (rc));
      return FALSE;
    }
  *status_out = status;
  return TRUE;
}
