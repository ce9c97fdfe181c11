/* pc run and pc create: one flag table, one path into pkg/engine. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "cmd/pc/pod.h"
#include "cmd/pc/pull.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

struct pc_engine *
pc_cli_open_engine (unsigned flags)
{
  struct pc_engine_options o = {
    .root = pc_global.root,
    .runroot = pc_global.runroot,
    .storage_driver = pc_global.storage_driver,
  };
  struct pc_engine *e = NULL;
  pc_error *err = NULL;
  if (pc_engine_open (&o, flags, &e, &err) < 0)
    {
      pc_cli_fail (err);
      return NULL;
    }
  return e;
}

int
pc_cli_open_container (unsigned flags, const char *ref, int missing_code,
                       struct pc_engine **e, struct pc_container **c)
{
  *e = pc_cli_open_engine (flags);
  if (*e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  if (pc_engine_lookup (*e, ref, c, &err) < 0)
    return pc_cli_fail_lookup (err, missing_code);
  return 0;
}

struct run_flags
{
  struct pc_create_opts o;
  bool detach;
  char *name, *entrypoint, *workdir, *user, *hostname, *stop_signal, *log_driver, *network, *cidfile;
  char *detach_keys;
  char *pod, *pod_id_file, *pod_new_id;   /* --pod, --pod-id-file; the pod new:NAME made */
  char **pod_publish;        /* -p moved to the pod new:NAME makes */
  char *init_path;
  char *restart;             /* --restart */
  char *userns, *subuidname, *subgidname;
  char *pull;                /* --pull policy */
  bool tls_verify;           /* --tls-verify, for the pull */
  char **attach;             /* --attach: the streams named, NULL for all */
  long stop_timeout;
  bool stop_timeout_set, entrypoint_set;
  bool sig_proxy;
  /* run-extras: --quiet, --label-file and the strings behind o's */
  bool quiet;
  char **label_file;
  char *oom_score_adj, *pidfile, *conmon_pidfile, *sdnotify, *systemd, *personality;
  char *passwd_entry;
};

static void
run_flags_clear (struct run_flags *f)
{
  free (f->name);
  free (f->entrypoint);
  free (f->workdir);
  free (f->user);
  free (f->hostname);
  free (f->stop_signal);
  free (f->log_driver);
  free (f->network);
  free (f->cidfile);
  free (f->detach_keys);
  free (f->init_path);
  free (f->restart);
  free (f->userns);
  free (f->subuidname);
  free (f->subgidname);
  free (f->pull);
  pc_strv_free (f->o.uidmap);
  pc_strv_free (f->o.gidmap);
  pc_strv_free (f->o.group_add);
  free (f->pod);
  free (f->pod_id_file);
  free (f->pod_new_id);
  pc_strv_free (f->pod_publish);
  pc_strv_free (f->attach);
  pc_strv_free (f->o.env);
  pc_strv_free (f->o.env_files);
  pc_strv_free (f->o.labels);
  pc_strv_free (f->o.tmpfs);
  pc_strv_free (f->o.volumes);
  pc_strv_free (f->o.mounts);
  pc_strv_free (f->o.volumes_from);
  pc_strv_free (f->o.cap_add);
  pc_strv_free (f->o.cap_drop);
  pc_strv_free (f->o.security_opt);
  pc_strv_free (f->o.ulimits);
  pc_strv_free (f->o.sysctls);
  pc_strv_free (f->o.devices);
  pc_strv_free (f->o.dns);
  pc_strv_free (f->o.dns_search);
  pc_strv_free (f->o.dns_option);
  pc_strv_free (f->o.add_host);
  pc_strv_free (f->o.publish);
  free ((char *) f->o.tz);
  free ((char *) f->o.umask);
  free ((char *) f->o.shm_size);
  pc_strv_free (f->o.unsetenv);
  pc_health_opts_clear (&f->o.health);
  pc_strv_free (f->label_file);
  pc_strv_free (f->o.annotations);
  pc_strv_free (f->o.chrootdirs);
  free (f->oom_score_adj);
  free (f->pidfile);
  free (f->conmon_pidfile);
  free (f->sdnotify);
  free (f->systemd);
  free (f->personality);
  free (f->passwd_entry);
  pc_strv_free (f->o.hostuser);
}

/* --label-file: KEY=VAL lines (# comments, blank lines skipped), before
   the --label ones so those win, as podman. */
static int
read_label_files (struct run_flags *f)
{
  char **all = NULL;
  for (char **p = f->label_file; p && *p; p++)
    {
      pc_autoerror pc_error *err = NULL;
      pc_autofree char *text = NULL;
      if (pc_read_file_max (AT_FDCWD, *p, 1 << 20, 0, &text, NULL, &err) < 0)
        {
          /* Go's lower-case errno text, as podman prints it */
          char msg[128];
          snprintf (msg, sizeof msg, "%s", strerror (err->status ? err->status : EINVAL));
          msg[0] = (char) tolower ((unsigned char) msg[0]);
          fprintf (stderr, "Error: unable to process labels: open %s: %s\n", *p, msg);
          pc_strv_free (all);
          return -1;
        }
      for (char *save = NULL, *l = strtok_r (text, "\r\n", &save); l; l = strtok_r (NULL, "\r\n", &save))
        {
          l += strspn (l, " \t");
          if (*l && *l != '#')
            pc_strv_append (&all, l);
        }
    }
  for (char **l = f->o.labels; l && *l; l++)
    pc_strv_append (&all, *l);
  pc_strv_free (f->o.labels);
  f->o.labels = all;
  return 0;
}

static int
parse_run_flags (const struct pc_command *cmd, bool is_run, int argc, char **argv,
                 struct run_flags *f, char ***args, int *nargs)
{
  memset (f, 0, sizeof *f);
  f->o.read_only_tmpfs = true;
  f->sig_proxy = true;
  f->tls_verify = true;
  const struct pc_opt opts[] = {
    { "add-host", 0, PC_OPT_STRV, &f->o.add_host, "strings", "Add a custom host-to-IP mapping (host:ip) (default [])" },
    { "annotation", 0, PC_OPT_STRV, &f->o.annotations, "stringArray", "Add annotations to container (key=value)" },
    { "attach", 'a', PC_OPT_STRV, &f->attach, "strings", "Attach to STDIN, STDOUT or STDERR" },
    { "cap-add", 0, PC_OPT_STRV, &f->o.cap_add, "strings", "Add capabilities to the container" },
    { "cap-drop", 0, PC_OPT_STRV, &f->o.cap_drop, "strings", "Drop capabilities from the container" },
    { "chrootdirs", 0, PC_OPT_STRV, &f->o.chrootdirs, "strings", "Chroot directories inside the container" },
    { "cidfile", 0, PC_OPT_STRING, &f->cidfile, "string", "Write the container ID to the file" },
    { "conmon-pidfile", 0, PC_OPT_STRING, &f->conmon_pidfile, "string", "Path to the file that will receive the PID of conmon" },
    { "detach", 'd', PC_OPT_BOOL, &f->detach, NULL, "Run container in background and print container ID" },
    { "detach-keys", 0, PC_OPT_STRING, &f->detach_keys, "[a-Z]", "Override the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `^` or `_` (default \"ctrl-p,ctrl-q\")" },
    { "device", 0, PC_OPT_STRV, &f->o.devices, "stringArray", "Add a host device to the container (HOST[:CONTAINER][:PERMISSIONS], permissions of r, w, m)" },
    { "dns", 0, PC_OPT_STRV, &f->o.dns, "strings", "Set custom DNS servers" },
    { "dns-option", 0, PC_OPT_STRV, &f->o.dns_option, "strings", "Set custom DNS options" },
    { "dns-search", 0, PC_OPT_STRV, &f->o.dns_search, "strings", "Set custom DNS search domains" },
    { "entrypoint", 0, PC_OPT_STRING, &f->entrypoint, "string", "Overwrite the default ENTRYPOINT of the image", &f->entrypoint_set },
    { "env", 'e', PC_OPT_STRV, &f->o.env, "stringArray", "Set environment variables in container" },
    { "env-file", 0, PC_OPT_STRV, &f->o.env_files, "stringArray", "Read in a file of environment variables" },
    { "env-host", 0, PC_OPT_BOOL, &f->o.env_host, NULL, "Use all current host environment variables in container", &f->o.env_host_set },
    { "http-proxy", 0, PC_OPT_BOOL, &f->o.http_proxy, NULL, "Set proxy environment variables in the container based on the host proxy vars (default true)", &f->o.http_proxy_set },
    { "gidmap", 0, PC_OPT_STRV, &f->o.gidmap, "strings", "GID map to use for the user namespace (CONTAINER:HOST:SIZE)" },
    { "group-add", 0, PC_OPT_STRV, &f->o.group_add, "strings", "Add additional groups to the primary container process. 'keep-groups' allows container processes to use supplementary groups." },
    { "health-cmd", 0, PC_OPT_STRING, &f->o.health.cmd, "string", "set a healthcheck command for the container ('none' disables the existing healthcheck)" },
    { "health-interval", 0, PC_OPT_STRING, &f->o.health.interval, "string", "set an interval for the healthcheck (a value of disable results in no automatic timer setup) (default \"30s\")" },
    { "health-on-failure", 0, PC_OPT_STRING, &f->o.health.on_failure, "string", "action to take once the container turns unhealthy (default \"none\")" },
    { "health-retries", 0, PC_OPT_UINT, &f->o.health.retries, "uint", "the number of retries allowed before a healthcheck is considered to be unhealthy (default 3)", &f->o.health.retries_set },
    { "health-start-period", 0, PC_OPT_STRING, &f->o.health.start_period, "string", "the initialization time needed for a container to bootstrap (default \"0s\")" },
    { "health-timeout", 0, PC_OPT_STRING, &f->o.health.timeout, "string", "the maximum time allowed to complete the healthcheck before an interval is considered failed (default \"30s\")" },
    { "hostname", 'h', PC_OPT_STRING, &f->hostname, "string", "Set container hostname" },
    { "hostuser", 0, PC_OPT_STRV, &f->o.hostuser, "strings", "Host user account to add to /etc/passwd within container" },
    { "init", 0, PC_OPT_BOOL, &f->o.init, NULL, "Run an init binary inside the container that forwards signals and reaps processes", &f->o.init_set },
    { "init-path", 0, PC_OPT_STRING, &f->init_path, "string", "Path to the container-init binary" },
    { "interactive", 'i', PC_OPT_BOOL, &f->o.interactive, NULL, "Keep STDIN open even if not attached" },
    { "label", 'l', PC_OPT_STRV, &f->o.labels, "stringArray", "Set metadata on container" },
    { "label-file", 0, PC_OPT_STRV, &f->label_file, "stringArray", "Read in a line delimited file of labels" },
    { "log-driver", 0, PC_OPT_STRING, &f->log_driver, "string", "Logging driver for the container (k8s-file, none, passthrough)" },
    { "mount", 0, PC_OPT_STRV, &f->o.mounts, "stringArray", "Attach a filesystem mount to the container (type=bind|tmpfs|volume)" },
    { "name", 0, PC_OPT_STRING, &f->name, "string", "Assign a name to the container" },
    { "network", 0, PC_OPT_STRING, &f->network, "string", "Connect a container to a network (slirp4netns[:OPTIONS] the default, private, none, host)" },
    { "net", 0, PC_OPT_STRING, &f->network, "string", "Connect a container to a network (slirp4netns[:OPTIONS] the default, private, none, host)" },
    { "no-healthcheck", 0, PC_OPT_BOOL, &f->o.health.none, NULL, "Disable healthchecks on container" },
    { "no-hosts", 0, PC_OPT_BOOL, &f->o.no_hosts, NULL, "Do not create /etc/hosts within the container, instead use the version from the image", &f->o.no_hosts_set },
    { "oom-score-adj", 0, PC_OPT_STRING, &f->oom_score_adj, "int", "Tune the host's OOM preferences (-1000 to 1000)" },
    { "passwd-entry", 0, PC_OPT_STRING, &f->passwd_entry, "string", "Entry to write to /etc/passwd" },
    { "personality", 0, PC_OPT_STRING, &f->personality, "string", "Configure execution domain using personality (e.g., LINUX/LINUX32)" },
    { "pidfile", 0, PC_OPT_STRING, &f->pidfile, "string", "Write the container process ID to the file" },
    { "pod", 0, PC_OPT_STRING, &f->pod, "string", "Run container in an existing pod" },
    { "pod-id-file", 0, PC_OPT_STRING, &f->pod_id_file, "string", "Read the pod ID from the file" },
    { "privileged", 0, PC_OPT_BOOL, &f->o.privileged, NULL, "Give extended privileges to container" },
    { "pull", 0, PC_OPT_STRING, &f->pull, "string", "Pull image policy (\"always\"|\"missing\"|\"never\"|\"newer\") (default \"missing\")" },
    { "publish", 'p', PC_OPT_STRV, &f->o.publish, "strings", "Publish a container's port, or a range of ports, to the host (default [])" },
    { "publish-all", 'P', PC_OPT_BOOL, &f->o.publish_all, NULL, "Publish all exposed ports to random ports on the host interfaces" },
    { "quiet", 'q', PC_OPT_BOOL, &f->quiet, NULL, "Suppress output information when pulling images" },
    { "read-only", 0, PC_OPT_BOOL, &f->o.read_only, NULL, "Make containers root filesystem read-only" },
    { "read-only-tmpfs", 0, PC_OPT_BOOL, &f->o.read_only_tmpfs, NULL, "When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp (default true)" },
    { "replace", 0, PC_OPT_BOOL, &f->o.replace, NULL, "If a container with the same name exists, replace it" },
    { "restart", 0, PC_OPT_STRING, &f->restart, "string", "Restart policy to apply when a container exits (\"always\"|\"no\"|\"on-failure\"|\"unless-stopped\")" },
    { "rm", 0, PC_OPT_BOOL, &f->o.rm, NULL, "Remove container (and pod if created) after exit" },
    { "rootfs", 0, PC_OPT_BOOL, &f->o.rootfs, NULL, "The first argument is not an image but the rootfs to the exploded container" },
    { "sdnotify", 0, PC_OPT_STRING, &f->sdnotify, "string", "control sd-notify behavior (\"container\"|\"conmon\"|\"ignore\") (default \"container\")" },
    { "security-opt", 0, PC_OPT_STRV, &f->o.security_opt, "stringArray", "Security Options (no-new-privileges, seccomp=unconfined|PROFILE)" },
    { "sig-proxy", 0, PC_OPT_BOOL, &f->sig_proxy, NULL, "Proxy received signals to the process (default true)" },
    { "stop-signal", 0, PC_OPT_STRING, &f->stop_signal, "string", "Signal to stop a container. Default is SIGTERM" },
    { "stop-timeout", 0, PC_OPT_UINT, &f->stop_timeout, "uint", "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL. (default 10)", &f->stop_timeout_set },
    { "subgidname", 0, PC_OPT_STRING, &f->subgidname, "string", "Name of range listed in /etc/subgid for use in user namespace" },
    { "shm-size", 0, PC_OPT_STRING, &f->o.shm_size, "<number>[<unit>]", "Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes)) (default \"65536k\")" },
    { "subuidname", 0, PC_OPT_STRING, &f->subuidname, "string", "Name of range listed in /etc/subuid for use in user namespace" },
    { "sysctl", 0, PC_OPT_STRV, &f->o.sysctls, "strings", "Sysctl options" },
    { "systemd", 0, PC_OPT_STRING, &f->systemd, "string", "Run container in systemd mode (\"true\"|\"false\"|\"always\") (default \"true\")" },
    { "tls-verify", 0, PC_OPT_BOOL, &f->tls_verify, NULL, "Require HTTPS and verify certificates when contacting registries for pulling images (default true)" },
    { "tmpfs", 0, PC_OPT_STRV, &f->o.tmpfs, "tmpfs", "Mount a temporary filesystem (tmpfs) into a container" },
    { "tty", 't', PC_OPT_BOOL, &f->o.tty, NULL, "Allocate a pseudo-TTY for container" },
    { "tz", 0, PC_OPT_STRING, &f->o.tz, "string", "Set timezone in container" },
    { "ulimit", 0, PC_OPT_STRV, &f->o.ulimits, "strings", "Ulimit options" },
    { "uidmap", 0, PC_OPT_STRV, &f->o.uidmap, "strings", "UID map to use for the user namespace (CONTAINER:HOST:SIZE)" },
    { "umask", 0, PC_OPT_STRING, &f->o.umask, "string", "Set umask in container (default \"0022\")" },
    { "unsetenv", 0, PC_OPT_STRV, &f->o.unsetenv, "stringArray", "Unset environment default variables in container" },
    { "unsetenv-all", 0, PC_OPT_BOOL, &f->o.unsetenv_all, NULL, "Unset all default environment variables in container" },
    { "user", 'u', PC_OPT_STRING, &f->user, "string", "Username or UID (format: <name|uid>[:<group|gid>])" },
    { "userns", 0, PC_OPT_STRING, &f->userns, "string", "User namespace to use: keep-id[:uid=N,gid=N], nomap, auto[:size=N], host, private" },
    { "volume", 'v', PC_OPT_STRV, &f->o.volumes, "stringArray", "Bind mount a volume into the container: [HOST-DIR|VOLUME:]CONTAINER-DIR[:OPTIONS]" },
    { "volumes-from", 0, PC_OPT_STRV, &f->o.volumes_from, "stringArray", "Mount volumes from the specified container(s): CONTAINER[:ro|rw|z]" },
    { "workdir", 'w', PC_OPT_STRING, &f->workdir, "string", "Working directory inside the container" },
    { NULL },
  };
  /* create has no --detach / --rm semantics of its own but podman accepts --rm there. */
  const struct pc_opt *table = opts;
  struct pc_opt create_opts[sizeof opts / sizeof *opts];
  if (!is_run)
    {
      size_t k = 0;
      for (const struct pc_opt *o = opts; o->name; o++)
        if (strcmp (o->name, "detach") != 0 && strcmp (o->name, "detach-keys") != 0
            && strcmp (o->name, "sig-proxy") != 0)
          create_opts[k++] = *o;
      create_opts[k] = (struct pc_opt) { NULL };
      table = create_opts;
    }
  int exit_code;
  if (pc_cli_parse_args (cmd, table, argc, argv, 1, -1, args, nargs, &exit_code) != 0)
    return exit_code == 0 ? 1 : -1;
  pc_error *kerr = NULL;
  if (pc_engine_check_detach_keys (f->detach_keys, &kerr) < 0)
    {
      pc_cli_fail (kerr);
      return -1;
    }
  for (char **s = f->attach; s && *s; s++)
    if (strcasecmp (*s, "stdin") != 0 && strcasecmp (*s, "stdout") != 0 && strcasecmp (*s, "stderr") != 0)
      {
        fprintf (stderr, "Error: invalid stream \"%s\" for --attach - must be one of stdin, stdout, or stderr: invalid argument\n", *s);
        return -1;
      }
  if (is_run && f->attach && f->detach)
    {
      fprintf (stderr, "Error: --attach and --detach cannot be used together: invalid argument\n");
      return -1;
    }
  if (f->attach && f->log_driver && strcmp (f->log_driver, "passthrough") == 0)
    {
      fprintf (stderr, "Error: cannot specify --attach with --log-driver=passthrough: invalid argument\n");
      return -1;
    }
  f->o.image = (*args)[0];
  f->o.command = *nargs > 1 ? (*args) + 1 : NULL;
  f->o.name = f->name;
  f->o.entrypoint = f->entrypoint_set ? (f->entrypoint ? f->entrypoint : "") : NULL;
  f->o.workdir = f->workdir;
  f->o.user = f->user;
  f->o.hostname = f->hostname;
  f->o.stop_signal = f->stop_signal;
  f->o.stop_timeout = f->stop_timeout_set ? (int) f->stop_timeout : -1;
  f->o.log_driver = f->log_driver;
  f->o.network = f->network;
  f->o.init_path = f->init_path;
  f->o.restart = f->restart;
  f->o.userns = f->userns;
  f->o.subuidname = f->subuidname;
  f->o.subgidname = f->subgidname;
  f->o.oom_score_adj = f->oom_score_adj;
  f->o.pidfile = f->pidfile;
  f->o.conmon_pidfile = f->conmon_pidfile;
  f->o.sdnotify = f->sdnotify;
  f->o.systemd = f->systemd;
  f->o.personality = f->personality;
  f->o.passwd_entry = f->passwd_entry;
  if (f->label_file && read_label_files (f) < 0)
    return -1;
  if (f->stop_timeout_set && f->stop_timeout < 0)
    {
      fprintf (stderr, "Error: invalid argument \"%ld\" for \"--stop-timeout\" flag: must be positive\n", f->stop_timeout);
      return -1;
    }
  if (f->cidfile && access (f->cidfile, F_OK) == 0)
    {
      fprintf (stderr, "Error: container id file exists. Ensure another container is not using it or delete %s\n", f->cidfile);
      return -1;
    }
  return 0;
}

static int
write_cidfile (const char *path, const char *id)
{
  /* Written whole or not at all, and never over a file that appeared
     since the check in parse_run_flags. */
  pc_autoerror pc_error *err = NULL;
  pc_autooutput struct pc_output out = PC_OUTPUT_INIT;
  if (pc_output_open (path, PC_OUTPUT_EXCL, &out, &err) < 0
      || pc_write_all (out.fd, id, strlen (id), &err) < 0 || pc_output_commit (&out, &err) < 0)
    {
      fprintf (stderr, "Error: writing cidfile %s: %s\n", path, err->msg);
      return -1;
    }
  return 0;
}

/* --pod NAME|ID, --pod new:NAME (a pod made now, with the container's
   -p), --pod-id-file. */
static int
resolve_pod (struct pc_engine *e, struct run_flags *f)
{
  if (f->pod_id_file && f->pod == NULL)
    {
      pc_autoerror pc_error *err = NULL;
      if (pc_read_file_max (AT_FDCWD, f->pod_id_file, 4096, 0, &f->pod, NULL, &err) < 0)
        {
          fprintf (stderr, "Error: reading pod ID from file %s: %s\n", f->pod_id_file, err->msg);
          return -1;
        }
      f->pod[strcspn (f->pod, " \t\r\n")] = '\0';
    }
  if (f->pod && strncmp (f->pod, "new:", 4) == 0)
    {
      if (pc_cli_pod_new (e, f->pod + 4, f->o.publish, &f->pod_new_id) != 0)
        return -1;
      f->pod_publish = f->o.publish;
      f->o.publish = NULL;
    }
  f->o.pod = f->pod_new_id ? f->pod_new_id : f->pod;
  return 0;
}

static int
create_common (const struct pc_command *cmd, bool is_run, int argc, char **argv,
               struct run_flags *f, struct pc_engine **ep, struct pc_container **cp)
{
  char **args;
  int nargs;
  int r = parse_run_flags (cmd, is_run, argc, argv, f, &args, &nargs);
  if (r != 0)
    return r > 0 ? 0 : PC_EXIT_ERROR;
  pc_error *err = NULL;
  if (pc_engine_create_check_dns (&f->o, &err) < 0)
    return pc_cli_fail (err);
  /* --network container:X joins X's user namespace, not a fresh one. */
  *ep = pc_cli_open_engine (0);
  if (*ep == NULL)
    return PC_EXIT_ERROR;
  if (resolve_pod (*ep, f) != 0)
    return PC_EXIT_ERROR;
  /* A member that runs at once joins the pod's user namespace (its infra
     started first); create needs no more than a fresh one, and a plain
     create none (create-outside.c). */
  bool outside = !is_run && pc_engine_create_outside_userns (*ep, &f->o, f->pull);
  if (!outside && pc_engine_enter_userns_ctr (*ep, f->o.network, is_run ? f->o.pod : NULL, NULL, 0, &err) < 0)
    return pc_cli_fail (err);
  /* Outside: the image is local and the policy pulls nothing. */
  r = f->o.rootfs || outside ? 0 : pc_cli_pull_for_run (*ep, f->o.image, f->pull, f->tls_verify, f->quiet);
  if (r != 0)
    return r;
  if (pc_engine_create (*ep, &f->o, cp, &err) < 0)
    {
      /* pc resolves -u at create; podman does it at start, where a user or
         group the image does not know is "cannot invoke", 126 from run. */
      return pc_cli_fail_as (err, is_run ? PC_EXIT_INVOKES : 0);
    }
  if (f->cidfile && write_cidfile (f->cidfile, (*cp)->id) < 0)
    return PC_EXIT_ERROR;
  return -1;
}

int
pc_cmd_create (const struct pc_command *cmd, int argc, char **argv)
{
  struct run_flags f;
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int r = create_common (cmd, false, argc, argv, &f, &e, &c);
  if (r < 0)
    {
      printf ("%s\n", c->id);
      r = 0;
    }
  run_flags_clear (&f);
  return r;
}

static bool
has_stream (char **v, const char *name)
{
  for (; v && *v; v++)
    if (strcasecmp (*v, name) == 0)
      return true;
  return false;
}

int
pc_cmd_run (const struct pc_command *cmd, int argc, char **argv)
{
  struct run_flags f;
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int r = create_common (cmd, true, argc, argv, &f, &e, &c);
  if (r >= 0)
    goto out;
  pc_error *err = NULL;
  static const int passthrough[3] = { 0, 1, 2 };
  if (f.detach)
    {
      if (pc_engine_start (e, c, NULL, passthrough, &err) < 0)
        {
          r = pc_cli_fail_as (err, PC_EXIT_INVOKES);
          goto out;
        }
      printf ("%s\n", c->id);
      r = 0;
      goto out;
    }
  /* podman: without --attach all three; with it only the streams named,
     and stdin also with -i. */
  struct pc_attach_opts ao = {
    .start = true,
    .in = f.attach == NULL || f.o.interactive || has_stream (f.attach, "stdin"),
    .out = f.attach == NULL || has_stream (f.attach, "stdout"),
    .err = f.attach == NULL || has_stream (f.attach, "stderr"),
    .detach_keys = f.detach_keys,
    .sig_proxy = f.sig_proxy,
  };
  if (pc_engine_start (e, c, &ao, passthrough, &err) < 0)
    {
      r = pc_cli_fail_as (err, PC_EXIT_INVOKES);
      goto cleanup;
    }
  int code = 0;
  int a = pc_engine_attach (e, c, &ao, &code, &err);
  if (a < 0)
    {
      r = pc_cli_fail_as (err, PC_EXIT_INVOKES);
      goto cleanup;
    }
  r = a == 1 ? 0 : code;
  if (a == 1)
    goto out;   /* detached: the container keeps running */

cleanup:
  if (f.o.rm)
    {
      /* The monitor removes it too; whoever comes second finds nothing. */
      pc_error *rerr = NULL;
      if (pc_engine_remove (e, c, true, 0, &rerr) < 0)
        pc_cli_fail (rerr);
    }
out:
  run_flags_clear (&f);
  return r;
}
