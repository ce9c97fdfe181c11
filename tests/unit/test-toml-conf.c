/* containers.conf and storage.conf through pc_engine_conf_load: every key
   read with its type, the files' order, and hostile files (random bytes,
   wrong types, a directory, a FIFO, a huge file) giving an error that
   names the file, never a crash or a hang (run under ASan). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/pc-test-toml-conf.XXXXXX";

static char *
write_conf (const char *name, const char *text, size_t len)
{
  char *p = xasprintf ("%s/%s", dir, name);
  int fd = open (p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0)
    {
      if (write (fd, text, len) != (ssize_t) len)
        fprintf (stderr, "short write\n");
      close (fd);
    }
  return p;
}

/* Loads with CONTAINERS_CONF = path; returns the error message or NULL. */
static char *
load (const char *path)
{
  setenv ("CONTAINERS_CONF", path, 1);
  pc_error *e = NULL;
  if (pc_engine_conf_load (NULL, &e) == 0)
    return NULL;
  char *m = xstrdup (e && e->msg ? e->msg : "(no message)");
  if (pc_error_class_of (e) != PC_ERR_INVALID)
    {
      free (m);
      m = xstrdup ("(wrong class)");
    }
  pc_error_free (e);
  return m;
}

static void
test_keys (void)
{
  const char *doc = "[containers]\nenv = [\"A=1\"]\nenv_host = true\ndefault_ulimits = [\"nofile=1:2\"]\n"
                    "default_capabilities = [\"CHOWN\"]\nlog_driver = \"none\"\nlog_size_max = 10000\n"
                    "pids_limit = 5\ntz = \"UTC\"\numask = \"0077\"\ninit = true\ninit_path = \"/x\"\n"
                    "userns = \"keep-id\"\ndns_servers = [\"1.2.3.4\"]\ndns_searches = [\"s\"]\n"
                    "dns_options = [\"o\"]\nno_hosts = true\nseccomp_profile = \"/p\"\nshm_size = \"1m\"\n"
                    "label = false\n[engine]\nevents_logger = \"none\"\ncgroup_manager = \"systemd\"\n"
                    "image_default_transport = \"docker://\"\n";
  pc_autofree char *p = write_conf ("all.conf", doc, strlen (doc));
  pc_autofree char *m = load (p);
  ok (m == NULL, "every key read: %s", m ? m : "");
  const struct pc_engine_conf *c = pc_engine_conf ();
  ok (c->env && strcmp (c->env[0], "A=1") == 0 && c->env_host && c->init && c->no_hosts && !c->label,
      "strings and booleans");
  ok (c->log_size_max == 10000 && c->pids_limit == 5, "integers");
  ok (c->default_capabilities_set && strcmp (c->default_capabilities[0], "CHOWN") == 0, "default_capabilities");
  ok (strcmp (c->tz, "UTC") == 0 && strcmp (c->umask, "0077") == 0 && strcmp (c->shm_size, "1m") == 0
      && strcmp (c->userns, "keep-id") == 0 && strcmp (c->dns_servers[0], "1.2.3.4") == 0,
      "tz, umask, shm_size, userns, dns");
  ok (strcmp (c->events_logger, "none") == 0 && strcmp (c->cgroup_manager, "systemd") == 0, "[engine]");
  ok (pc_strv_len (c->files) == 1 && strcmp (c->files[0], p) == 0, "CONTAINERS_CONF is the only file");
}

static void
test_bad (void)
{
  static const struct
  {
    const char *doc, *want;
  } cases[] = {
    { "[containers]\nenv = \"x\"\n", "line 2 (last key \"containers.env\"): incompatible types: TOML value has type string; destination has type slice" },
    { "[containers]\nenv = [1]\n", "TOML value has type int64; destination has type string" },
    { "[containers]\ninit = 1\n", "destination has type bool" },
    { "[containers]\npids_limit = true\n", "destination has type int64" },
    { "[containers.env]\nx = 1\n", "TOML value has type map[string]interface {}; destination has type slice" },
    { "containers = 3\n", "(last key \"containers\")" },
    { "[engine]\nruntime = [\"runc\"]\n", "destination has type string" },
    { "[engine.runtimes]\nx = \"/bin/x\"\n", "(last key \"engine.runtimes.x\")" },
    { "[containers]\nlog_size_max = 100\n", "log size max should be negative or >= 8192" },
    { "[containers]\numask = \"9\"\n", "invalid umask string 9" },
    { "[engine]\nruntime = \"no-such-runtime\"\n", "default OCI runtime \"no-such-runtime\" not found" },
    { "[engine]\nevents_logger = \"x\"\n", "\"x\" is not a valid events backend" },
    { "a = [\"x\"\n", "expected a comma (',') or array terminator (']'), but got end of file" },
    { "\xff\xfe\x00\x01", "NUL" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      size_t len = strlen (cases[i].doc);
      if (strcmp (cases[i].want, "NUL") == 0)
        len = 4;
      pc_autofree char *p = write_conf ("bad.conf", cases[i].doc, len);
      pc_autofree char *m = load (p);
      ok (m && strstr (m, cases[i].want) && (strstr (m, p) || strstr (cases[i].want, "runtime")
                                             || strstr (cases[i].want, "events") || strstr (cases[i].want, "umask")
                                             || strstr (cases[i].want, "log size")),
          "bad %zu: %s", i, m ? m : "(loaded)");
    }
}

static void
test_hostile_files (void)
{
  pc_autofree char *d = xasprintf ("%s/adir", dir);
  mkdir (d, 0755);
  pc_autofree char *m1 = load (d);
  ok (m1 && strstr (m1, d), "a directory: %s", m1 ? m1 : "");
  pc_autofree char *f = xasprintf ("%s/fifo", dir);
  mkfifo (f, 0644);
  alarm (10);
  pc_autofree char *m2 = load (f);
  alarm (0);
  ok (m2 && strstr (m2, f), "a FIFO does not block: %s", m2 ? m2 : "");
  size_t big = (5 << 20);
  char *b = xmalloc (big);
  memset (b, '#', big);
  pc_autofree char *p = write_conf ("big.conf", b, big);
  pc_autofree char *m3 = load (p);
  ok (m3 && strstr (m3, p), "a 5 MiB file: %s", m3 ? m3 : "");
  unsigned seed = 7;
  size_t refused = 0, loaded = 0, silent = 0;
  for (int i = 0; i < 300; i++)
    {
      size_t n = 1 + (seed = seed * 1103515245 + 12345) % 4000;
      for (size_t k = 0; k < n; k++)
        b[k] = (char) ((seed = seed * 1103515245 + 12345) >> 16);
      pc_autofree char *q = write_conf ("rand.conf", b, n);
      pc_autofree char *m = load (q);
      if (m == NULL)
        loaded++;
      else if (strstr (m, q))
        refused++;
      else
        silent++;
    }
  free (b);
  ok (silent == 0 && refused > 0, "300 random files: %zu refused naming the file, %zu loaded", refused, loaded);
}

/* The user's file is read by a user, not by root (podman's rule); its
   drop-ins after it, sorted, only *.conf. */
static void
test_files (void)
{
  unsetenv ("CONTAINERS_CONF");
  pc_autofree char *cdir = xasprintf ("%s/containers", dir);
  pc_autofree char *ddir = xasprintf ("%s/containers/containers.conf.d", dir);
  mkdir (cdir, 0755);
  mkdir (ddir, 0755);
  pc_autofree char *u = write_conf ("containers/containers.conf", "", 0);
  pc_autofree char *b = write_conf ("containers/containers.conf.d/b.conf", "", 0);
  pc_autofree char *a = write_conf ("containers/containers.conf.d/a.conf", "", 0);
  pc_autofree char *x = write_conf ("containers/containers.conf.d/x.toml", "", 0);
  char **files = NULL;
  pc_error *e = NULL;
  ok (pc_engine_conf_files (NULL, &files, &e) == 0, "the list of files");
  size_t n = pc_strv_len (files), iu = n, ia = n, ib = n;
  for (size_t i = 0; i < n; i++)
    {
      if (strcmp (files[i], u) == 0)
        iu = i;
      if (strcmp (files[i], a) == 0)
        ia = i;
      if (strcmp (files[i], b) == 0)
        ib = i;
      ok (strcmp (files[i], x) != 0, "%s is listed, the .toml drop-in is not", files[i]);
    }
  if (geteuid () == 0)
    ok (iu == n && ia == n && ib == n, "root reads no file of the user's");
  else
    ok (iu < ia && ia < ib && ib < n, "the user's file, then its drop-ins in name order");
  pc_strv_free (files);
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    return 1;
  setenv ("HOME", dir, 1);
  setenv ("XDG_CONFIG_HOME", dir, 1);
  unsetenv ("CONTAINERS_CONF_OVERRIDE");
  unsetenv ("CONTAINERS_STORAGE_CONF");
  test_keys ();
  test_bad ();
  test_hostile_files ();
  test_files ();
  pc_autofree char *cmd = xasprintf ("rm -rf '%s'", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "cleanup failed\n");
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}
