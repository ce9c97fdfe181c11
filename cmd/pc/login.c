/* pc login, pc logout: podman 4.3's flags, prompts and messages
   (containers/common pkg/auth). The password is read from the terminal
   without echo or from stdin (--password-stdin); it is never printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"

#define PASSWORD_MAX (1 << 20)

static void
wipe (char **s)
{
  if (*s)
    {
      explicit_bzero (*s, strlen (*s));
      free (*s);
      *s = NULL;
    }
}
#define pc_autowipe __attribute__ ((cleanup (wipe)))

/* All of stdin, lines joined without their newlines (podman's scanner). */
static char *
read_stdin_password (void)
{
  size_t cap = 256, len = 0;
  char *buf = xmalloc (cap);
  int c;
  while ((c = getchar ()) != EOF && len < PASSWORD_MAX)
    {
      if (c == '\n' || (c == '\r' && (c = getchar ()) == '\n'))
        continue;
      if (c == EOF)
        break;
      if (len + 2 > cap)
        {
          char *n = xmalloc (cap * 2);
          memcpy (n, buf, len);
          explicit_bzero (buf, cap);
          free (buf);
          buf = n;
          cap *= 2;
        }
      buf[len++] = (char) c;
    }
  buf[len] = '\0';
  return buf;
}

static char *
read_line (void)
{
  char *line = NULL;
  size_t n = 0;
  ssize_t r = getline (&line, &n, stdin);
  if (r < 0)
    {
      free (line);
      return xstrdup ("");
    }
  line[strcspn (line, "\r\n")] = '\0';
  return line;
}

/* The terminal without echo; NULL when stdin is not one. Echo goes off
   before the prompt shows, and type-ahead is kept (TCSANOW, not
   TCSAFLUSH): a password typed as soon as the prompt appears is neither
   echoed nor lost. */
static char *
read_password_tty (const char *prompt)
{
  struct termios old, quiet;
  if (tcgetattr (STDIN_FILENO, &old) < 0)
    {
      printf ("%s", prompt);
      fflush (stdout);
      return NULL;
    }
  quiet = old;
  quiet.c_lflag &= (tcflag_t) ~ECHO;
  quiet.c_lflag |= ICANON;
  tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
  printf ("%s", prompt);
  fflush (stdout);
  char *line = read_line ();
  tcsetattr (STDIN_FILENO, TCSANOW, &old);
  printf ("\n");
  return line;
}

int
pc_cmd_login (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *username = NULL, *authfile = NULL, *cert_dir = NULL;
  pc_autowipe char *password = NULL;
  bool password_stdin = false, get_login = false, tls_verify = true, verbose = false;
  const struct pc_opt opts[] = {
    { "authfile", 0, PC_OPT_STRING, &authfile, "string", "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
    { "cert-dir", 0, PC_OPT_STRING, &cert_dir, "string", "use certificates at the specified path to access the registry" },
    { "get-login", 0, PC_OPT_BOOL, &get_login, NULL, "Return the current login user for the registry" },
    { "password", 'p', PC_OPT_STRING, &password, "string", "Password for registry" },
    { "password-stdin", 0, PC_OPT_BOOL, &password_stdin, NULL, "Take the password from stdin" },
    { "tls-verify", 0, PC_OPT_BOOL, &tls_verify, NULL, "Require HTTPS and verify certificates when contacting registries" },
    { "username", 'u', PC_OPT_STRING, &username, "string", "Username for registry" },
    { "verbose", 'v', PC_OPT_BOOL, &verbose, NULL, "Write more detailed information to stdout" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_error *err = NULL;
  pc_autofree char *key = NULL, *host = NULL;
  if (pc_engine_login_key (nargs ? args[0] : NULL, &key, &host, &err) < 0)
    return pc_cli_fail (err);

  pc_autofree char *stored_user = NULL;
  pc_autowipe char *stored_password = NULL;
  bool token = false;
  if (pc_engine_login_stored (authfile, key, &stored_user, &stored_password, &token, &err) < 0)
    return pc_cli_fail (err);
  if (get_login)
    {
      if (stored_user == NULL || *stored_user == '\0')
        return pc_cli_errorf (PC_EXIT_ERROR, "not logged into %s", key);
      printf ("%s\n", stored_user);
      return 0;
    }
  if (token)
    return pc_cli_errorf (PC_EXIT_ERROR, "currently logged in, auth file contains an Identity token");
  if (password_stdin)
    {
      if (password)
        return pc_cli_errorf (PC_EXIT_ERROR, "Can't specify both --password-stdin and --password");
      if (username == NULL || *username == '\0')
        return pc_cli_errorf (PC_EXIT_ERROR, "Must provide --username with --password-stdin");
      password = read_stdin_password ();
    }
  struct pc_engine_login_opts o = { .authfile = authfile, .cert_dir = cert_dir,
                                    .tls_verify_off = !tls_verify };
  if ((username == NULL || *username == '\0') && (password == NULL || *password == '\0')
      && stored_user && *stored_user && stored_password && *stored_password)
    {
      printf ("Authenticating with existing credentials for %s\n", key);
      pc_error *cerr = NULL;
      if (pc_engine_login_check (key, host, stored_user, stored_password, &o, &cerr) == 0)
        {
          printf ("Existing credentials are valid. Already logged in to %s\n", host);
          return 0;
        }
      pc_error_clear (&cerr);
      printf ("Existing credentials are invalid, please enter valid username and password\n");
    }
  if (username == NULL || *username == '\0')
    {
      if (stored_user && *stored_user)
        printf ("Username (%s): ", stored_user);
      else
        printf ("Username: ");
      fflush (stdout);
      free (username);
      username = read_line ();
      if (*username == '\0' && stored_user)
        {
          free (username);
          username = xstrdup (stored_user);
        }
    }
  if (password == NULL || *password == '\0')
    {
      wipe (&password);
      password = read_password_tty ("Password: ");
      if (password == NULL)
        return pc_cli_errorf (PC_EXIT_ERROR,
                              "getting username and password: reading password: inappropriate ioctl for device");
    }
  if (*username == '\0' || *password == '\0')
    return pc_cli_errorf (PC_EXIT_ERROR, "getting username and password: %s",
                          *username == '\0' ? "username can't be empty" : "password can't be empty");
  if (pc_engine_login_check (key, host, username, password, &o, &err) < 0)
    return pc_cli_fail (err);
  if (pc_engine_login_store (authfile, key, username, password, &err) < 0)
    return pc_cli_fail (err);
  printf ("Login Succeeded!\n");
  return 0;
}

int
pc_cmd_logout (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *authfile = NULL;
  bool all = false;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Remove the cached credentials for all registries in the auth file" },
    { "authfile", 0, PC_OPT_STRING, &authfile, "string", "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_error *err = NULL;
  if (all)
    {
      if (nargs)
        return pc_cli_errorf (PC_EXIT_ERROR, "--all takes no arguments");
      if (pc_engine_logout (authfile, NULL, &err) < 0)
        return pc_cli_fail (err);
      printf ("Removed login credentials for all registries\n");
      return 0;
    }
  pc_autofree char *key = NULL, *host = NULL;
  if (pc_engine_login_key (nargs ? args[0] : NULL, &key, &host, &err) < 0)
    return pc_cli_fail (err);
  if (pc_engine_logout (authfile, key, &err) == 0)
    {
      printf ("Removed login credentials for %s\n", key);
      return 0;
    }
  if (pc_error_class_of (err) != PC_ERR_NOT_FOUND)
    return pc_cli_fail (err);
  /* Credentials in another file (docker's): podman says to use docker logout. */
  pc_error_clear (&err);
  pc_autofree char *user = NULL;
  pc_autowipe char *password = NULL;
  bool token = false;
  if (pc_engine_login_stored (authfile, key, &user, &password, &token, &err) < 0)
    return pc_cli_fail (err);
  struct pc_engine_login_opts o = { .authfile = authfile };
  if (user && *user && password && *password
      && pc_engine_login_check (key, host, user, password, &o, &err) == 0)
    {
      printf ("Not logged into %s with current tool. Existing credentials were established via docker login. Please use docker logout instead.\n",
              key);
      return 0;
    }
  pc_error_clear (&err);
  return pc_cli_errorf (PC_EXIT_ERROR, "not logged into %s", key);
}
