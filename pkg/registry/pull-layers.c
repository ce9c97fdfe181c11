/* Layers of a pull, a few at once, each extracted as it arrives: a
   download thread writes the blob into a pipe, its worker applies the pipe
   into the store (pc_store_layer_apply_stream verifies the digest and the
   diff_id while reading). No layer is written to disk twice. The calling
   thread reports progress (the only one that calls the event callback). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/internal.h"
#include "pkg/storage/storage.h"

struct shared
{
  pthread_mutex_t mu;
  pthread_cond_t cond;
  struct reg_layer_job *jobs;
  size_t n, next;
  bool failed;
  struct pc_store *store;
  struct pc_registry_client *client;
  const char *repo;
  int running;
};

struct download
{
  struct shared *sh;
  struct reg_layer_job *job;
  struct pc_registry_client *client;
  int wfd;
  pc_error *err;
  bool transport_err;  /* worth another attempt */
};

static int
pipe_sink (const void *buf, size_t len, void *data, pc_error **err)
{
  struct download *d = data;
  if (__atomic_load_n (&d->sh->failed, __ATOMIC_RELAXED))
    return pc_error_make (err, ECANCELED, "cancelled");
  int64_t done = __atomic_load_n (&d->job->done, __ATOMIC_RELAXED) + (int64_t) len;
  if (d->job->size >= 0 && done > d->job->size)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "refusing layer %s: more than the %lld bytes the manifest gives",
                           d->job->digest, (long long) d->job->size);
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (d->wfd, p, len);
      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "layer %s: extraction stopped", d->job->digest);
        }
      p += w;
      len -= (size_t) w;
    }
  __atomic_store_n (&d->job->done, done, __ATOMIC_RELAXED);
  return 0;
}

static void *
download_main (void *arg)
{
  struct download *d = arg;
  /* A write to a pipe whose reader gave up is EPIPE here, not a signal. */
  sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  pc_autofree char *path = xasprintf ("%s/blobs/%s", d->sh->repo, d->job->digest);
  struct pc_registry_request rq = { .method = "GET", .repo = d->sh->repo, .actions = "pull",
                                    .path = path, .sink = pipe_sink, .sink_data = d };
  struct pc_registry_response resp = { .content_length = -1 };
  if (pc_registry_request (d->client, &rq, &resp, &d->err) < 0)
    {
      d->transport_err = pc_error_class_of (d->err) != PC_ERR_INVALID && d->err->status != EPIPE
                         && d->err->status != ECANCELED;
      if (d->err->status != EPIPE && d->err->status != ECANCELED)
        pc_error_wrap (&d->err, "reading blob %s", d->job->digest);
    }
  else if (resp.status != 200)
    {
      pc_autofree char *w = xasprintf ("reading blob %s: fetching blob", d->job->digest);
      pc_registry_status_error (&resp, w, &d->err);
      d->transport_err = resp.status == 429 || resp.status >= 500;
    }
  else if (d->job->size >= 0 && __atomic_load_n (&d->job->done, __ATOMIC_RELAXED) != d->job->size)
    {
      pc_error_make (&d->err, EIO, "reading blob %s: unexpected EOF: %lld of %lld bytes",
                     d->job->digest, (long long) d->job->done, (long long) d->job->size);
      d->transport_err = true;
    }
  pc_registry_response_clear (&resp);
  close (d->wfd);
  d->wfd = -1;
  return NULL;
}

/* One attempt at one layer: 0, or -1 with *retry when another may do. */
static int
layer_once (struct shared *sh, struct pc_store *s, struct pc_registry_client *client,
            struct reg_layer_job *job, bool *retry, pc_error **err)
{
  *retry = false;
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  fcntl (p[1], F_SETPIPE_SZ, 1 << 20);
  struct download d = { .sh = sh, .job = job, .client = client, .wfd = p[1] };
  __atomic_store_n (&job->done, 0, __ATOMIC_RELAXED);
  pthread_t t;
  int e = pthread_create (&t, NULL, download_main, &d);
  if (e != 0)
    {
      close (p[0]);
      close (p[1]);
      return pc_error_errno (err, e, "start a download thread");
    }
  char chain[72];
  pc_error *aerr = NULL;
  int r = pc_store_layer_apply_stream (s, p[0], job->digest, job->diff_id, job->parent_chain,
                                       chain, &aerr);
  close (p[0]);
  pthread_join (t, NULL);
  if (d.err)
    {
      /* The download's failure is the cause; the extraction's (a truncated
         stream) only its consequence. Unless the extraction stopped first. */
      if (r < 0 && d.err->status == EPIPE)
        {
          pc_error_free (d.err);
          *err = aerr;
          return -1;
        }
      pc_error_free (aerr);
      *retry = d.transport_err;
      *err = d.err;
      return -1;
    }
  if (r < 0)
    {
      *err = aerr;
      return -1;
    }
  return 0;
}

static void *
worker_main (void *arg)
{
  struct shared *sh = arg;
  struct pc_store *s = NULL;
  struct pc_registry_client *client = NULL;
  pc_error *err = NULL;
  if (pc_store_reopen (sh->store, &s, &err) < 0)
    goto fail_early;
  client = reg_client_dup (sh->client);
  for (;;)
    {
      pthread_mutex_lock (&sh->mu);
      while (sh->next < sh->n && sh->jobs[sh->next].skip)
        sh->next++;
      if (sh->failed || sh->next >= sh->n)
        {
          pthread_mutex_unlock (&sh->mu);
          break;
        }
      struct reg_layer_job *job = &sh->jobs[sh->next++];
      job->state = 1;
      pthread_cond_broadcast (&sh->cond);
      pthread_mutex_unlock (&sh->mu);

      int attempts = client->opts.retries;
      long delay = client->opts.retry_delay_ms > 0 ? client->opts.retry_delay_ms : 1000;
      int r;
      for (int a = 0;; a++)
        {
          bool retry = false;
          pc_error_clear (&err);
          r = layer_once (sh, s, client, job, &retry, &err);
          if (r == 0 || !retry || a >= attempts || __atomic_load_n (&sh->failed, __ATOMIC_RELAXED))
            break;
          pc_debug ("layer %s: %s; retrying", job->digest, err->msg);
          struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };
          nanosleep (&ts, NULL);
          if (client->opts.retry_delay_ms <= 0)
            delay *= 2;
        }
      pthread_mutex_lock (&sh->mu);
      if (r < 0)
        {
          job->err = err;
          err = NULL;
          job->state = 3;
          sh->failed = true;
        }
      else
        job->state = 2;
      pthread_cond_broadcast (&sh->cond);
      pthread_mutex_unlock (&sh->mu);
    }
  pc_registry_client_free (client);
  pc_store_close (s);
  pthread_mutex_lock (&sh->mu);
  sh->running--;
  pthread_cond_broadcast (&sh->cond);
  pthread_mutex_unlock (&sh->mu);
  return NULL;
fail_early:
  pthread_mutex_lock (&sh->mu);
  if (sh->next < sh->n)
    {
      sh->jobs[sh->next].err = err;
      sh->jobs[sh->next].state = 3;
    }
  else
    pc_error_free (err);
  sh->failed = true;
  sh->running--;
  pthread_cond_broadcast (&sh->cond);
  pthread_mutex_unlock (&sh->mu);
  return NULL;
}

int
reg_pull_layers (struct pc_store *s, struct pc_registry_client *c, const char *repo,
                 struct reg_layer_job *jobs, size_t n, const struct pc_registry_pull_opts *po,
                 pc_error **err)
{
  pc_registry_event_fn ev = po ? po->event : NULL;
  void *evd = po ? po->event_data : NULL;
  int *shown = xmalloc0 ((n ? n : 1) * sizeof *shown); /* state last reported */
  size_t todo = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (jobs[i].skip)
        {
          if (ev)
            ev (&(struct pc_registry_event) { .kind = PC_REGISTRY_EV_BLOB_SKIP, .digest = jobs[i].digest,
                                              .total = jobs[i].size }, evd);
          shown[i] = 2;
        }
      else
        todo++;
    }
  if (todo == 0)
    {
      free (shown);
      return 0;
    }
  struct shared sh = { .jobs = jobs, .n = n, .store = s, .client = c, .repo = repo };
  pthread_mutex_init (&sh.mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init (&ca);
  pthread_condattr_setclock (&ca, CLOCK_MONOTONIC);
  pthread_cond_init (&sh.cond, &ca);
  pthread_condattr_destroy (&ca);
  /* The client chose http or https (its ping) when it fetched the
     manifest: the copies inherit the choice. */
  size_t k = po && po->max_parallel > 0 ? (size_t) po->max_parallel : 3;
  if (k > todo)
    k = todo;
  pthread_t *tids = xmalloc0 (k * sizeof *tids);
  size_t started = 0;
  for (size_t i = 0; i < k; i++)
    {
      pthread_mutex_lock (&sh.mu);
      sh.running++;
      pthread_mutex_unlock (&sh.mu);
      if (pthread_create (&tids[i], NULL, worker_main, &sh) != 0)
        {
          pthread_mutex_lock (&sh.mu);
          sh.running--;
          pthread_mutex_unlock (&sh.mu);
          break;
        }
      started++;
    }
  pthread_mutex_lock (&sh.mu);
  for (;;)
    {
      for (size_t i = 0; i < n; i++)
        {
          int st = jobs[i].state;
          if (shown[i] == 0 && st >= 1)
            {
              shown[i] = 1;
              if (ev)
                ev (&(struct pc_registry_event) { .kind = PC_REGISTRY_EV_BLOB_START, .digest = jobs[i].digest,
                                                  .total = jobs[i].size }, evd);
            }
          if (shown[i] == 1 && ev)
            ev (&(struct pc_registry_event) { .kind = PC_REGISTRY_EV_BLOB_PROGRESS, .digest = jobs[i].digest,
                                              .done = __atomic_load_n (&jobs[i].done, __ATOMIC_RELAXED),
                                              .total = jobs[i].size }, evd);
          if (shown[i] == 1 && st == 2)
            {
              shown[i] = 2;
              if (ev)
                ev (&(struct pc_registry_event) { .kind = PC_REGISTRY_EV_BLOB_DONE, .digest = jobs[i].digest,
                                                  .done = jobs[i].size, .total = jobs[i].size }, evd);
            }
        }
      if (sh.running == 0)
        break;
      struct timespec ts;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      ts.tv_nsec += 200 * 1000000L;
      if (ts.tv_nsec >= 1000000000L)
        {
          ts.tv_sec++;
          ts.tv_nsec -= 1000000000L;
        }
      pthread_cond_timedwait (&sh.cond, &sh.mu, &ts);
    }
  pthread_mutex_unlock (&sh.mu);
  for (size_t i = 0; i < started; i++)
    pthread_join (tids[i], NULL);
  free (tids);
  free (shown);
  pthread_mutex_destroy (&sh.mu);
  pthread_cond_destroy (&sh.cond);
  int ret = 0;
  for (int pass = 0; pass < 2 && ret == 0; pass++)
    for (size_t i = 0; i < n; i++)
      if (jobs[i].state == 3 && jobs[i].err && (pass == 1 || jobs[i].err->status != ECANCELED))
      {
        if (ret == 0)
          {
            *err = jobs[i].err;
            jobs[i].err = NULL;
          }
        ret = -1;
      }
  if (ret == 0)
    for (size_t i = 0; i < n; i++)
      if (!jobs[i].skip && jobs[i].state != 2)
        ret = pc_error_make (err, EIO, "layer %s was not fetched", jobs[i].digest);
  return ret;
}
