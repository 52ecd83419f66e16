/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Connection URIs: parsing, building from the add-connection dialog, naming. */
#include <glib.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-uri.h"

typedef struct {
  const char     *uri;
  VireoHypervisor hypervisor;
  VireoTransport  transport;
  const char     *scheme;
  const char     *user;
  const char     *host;
  int             port;
  const char     *path;
  const char     *query;
} ParseCase;

static const ParseCase valid_cases[] = {
  { "qemu:///system", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_LOCAL, "qemu", NULL, NULL, -1, "/system", NULL },
  { "qemu:///session", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_LOCAL, "qemu", NULL, NULL, -1, "/session", NULL },
  { "QEMU:///system", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_LOCAL, "qemu", NULL, NULL, -1, "/system", NULL },
  { "qemu+unix:///system", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_LOCAL, "qemu+unix", NULL, NULL, -1, "/system", NULL },
  { "qemu+ssh://root@host.example.com/system", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH,
    "qemu+ssh", "root", "host.example.com", -1, "/system", NULL },
  { "qemu+ssh://root@10.0.0.2:2222/system?keyfile=/k/id&no_verify=1", VIREO_HYPERVISOR_QEMU,
    VIREO_TRANSPORT_SSH, "qemu+ssh", "root", "10.0.0.2", 2222, "/system", "keyfile=/k/id&no_verify=1" },
  { "qemu+libssh2://admin@h/session", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH,
    "qemu+libssh2", "admin", "h", -1, "/session", NULL },
  { "qemu+ssh://root@[::1]:22/system", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH,
    "qemu+ssh", "root", "::1", 22, "/system", NULL },
  { "qemu+tls://kvm1.example.org/system", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TLS,
    "qemu+tls", NULL, "kvm1.example.org", -1, "/system", NULL },
  { "qemu+tcp://127.0.0.1:16509/system", VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TCP,
    "qemu+tcp", NULL, "127.0.0.1", 16509, "/system", NULL },
  { "xen:///system", VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_LOCAL, "xen", NULL, NULL, -1, "/system", NULL },
  { "libxl:///system", VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_LOCAL, "libxl", NULL, NULL, -1, "/system", NULL },
  { "xen+ssh://root@dom0/system", VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_SSH,
    "xen+ssh", "root", "dom0", -1, "/system", NULL },
  { "test:///default", VIREO_HYPERVISOR_TEST, VIREO_TRANSPORT_LOCAL, "test", NULL, NULL, -1, "/default", NULL },
  { "test:///abs/path/node.xml", VIREO_HYPERVISOR_TEST, VIREO_TRANSPORT_LOCAL,
    "test", NULL, NULL, -1, "/abs/path/node.xml", NULL },
  { "test+tcp://127.0.0.1/abs/path/host-a.xml", VIREO_HYPERVISOR_TEST, VIREO_TRANSPORT_TCP,
    "test+tcp", NULL, "127.0.0.1", -1, "/abs/path/host-a.xml", NULL },
  { "builtin:///session", VIREO_HYPERVISOR_BUILTIN, VIREO_TRANSPORT_LOCAL,
    "builtin", NULL, NULL, -1, "/session", NULL },
  { "lxc:///system", VIREO_HYPERVISOR_OTHER, VIREO_TRANSPORT_LOCAL, "lxc", NULL, NULL, -1, "/system", NULL },
};

static void
test_parse_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      const ParseCase *c = &valid_cases[i];
      g_auto(VireoUriInfo) info = { 0 };
      g_autoptr(GError) error = NULL;

      g_test_message ("parsing %s", c->uri);
      if (!vireo_uri_parse (c->uri, &info, &error))
        {
          g_test_fail_printf ("“%s” should parse, got: %s", c->uri,
                              error ? error->message : "(no error set)");
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (info.hypervisor, ==, c->hypervisor);
      g_assert_cmpint (info.transport, ==, c->transport);
      g_assert_cmpstr (info.scheme, ==, c->scheme);
      g_assert_cmpstr (info.user, ==, c->user);
      g_assert_cmpstr (info.host, ==, c->host);
      g_assert_cmpint (info.port, ==, c->port);
      g_assert_cmpstr (info.path, ==, c->path);
      g_assert_cmpstr (info.query, ==, c->query);
    }
}

typedef struct {
  const char *uri;
  const char *must_mention;   /* the offending part the message must name */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "system", "system" },                            /* no scheme */
  { "/var/run/libvirt/libvirt-sock", "/var/run/libvirt/libvirt-sock" },
  { "host.example.com", "host.example.com" },
  { "foo:///system", "foo" },                        /* unknown hypervisor */
  { "vmware:///system", "vmware" },
  { "qemu+carrierpigeon://host/system", "carrierpigeon" },   /* unknown transport */
  { "qemu+ssh:///system", "qemu+ssh" },              /* remote without a host */
  { "qemu+tls:///system", "qemu+tls" },
  { "qemu:///bogus", "/bogus" },                     /* neither system nor session */
  { "test:///relative-name", NULL },                 /* not a node file */
  { "builtin://remote/session", NULL },              /* builtin is local only */
  { "builtin:///system", NULL },
};

static void
check_invalid (const char *uri,
               const char *must_mention)
{
  VireoUriInfo info;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* Garbage in the struct must not survive a failed parse. */
  memset (&info, 0xAA, sizeof info);
  ok = vireo_uri_parse (uri, &info, &error);
  if (ok)
    {
      g_test_fail_printf ("“%s” must be rejected, but it parsed (hypervisor %d, transport %d)",
                          uri ? uri : "(null)", info.hypervisor, info.transport);
      vireo_uri_info_clear (&info);
      return;
    }
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 10);
  if (must_mention != NULL && strstr (error->message, must_mention) == NULL)
    g_test_fail_printf ("the error for “%s” should name “%s”; it says: %s", uri, must_mention, error->message);
  /* Nothing to free and nothing dangling after a failure. */
  g_assert_null (info.scheme);
  g_assert_null (info.user);
  g_assert_null (info.host);
  g_assert_null (info.path);
  g_assert_null (info.query);
}

static void
test_parse_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_test_message ("rejecting %s", invalid_cases[i].uri);
      check_invalid (invalid_cases[i].uri, invalid_cases[i].must_mention);
    }
}

static void
test_parse_empty (void)
{
  check_invalid ("", NULL);
  check_invalid (NULL, NULL);
}

static void
test_parse_spaces (void)
{
  /* A space inside is an error that names the URI … */
  check_invalid ("qemu:///my system", "qemu:///my system");
  check_invalid ("qemu+ssh://root@my host/system", "my host");
  check_invalid ("test:///tmp/my node.xml", "my node.xml");
  /* … and says how to write one. */
  {
    VireoUriInfo info;
    g_autoptr(GError) error = NULL;
    g_assert_false (vireo_uri_parse ("test:///tmp/my node.xml", &info, &error));
    g_assert_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI);
    g_assert_nonnull (strstr (error->message, "%20"));
  }
  /* Percent-encoded spaces are fine. */
  {
    g_auto(VireoUriInfo) info = { 0 };
    g_autoptr(GError) error = NULL;
    g_assert_true (vireo_uri_parse ("test:///tmp/my%20node.xml", &info, &error));
    g_assert_no_error (error);
    g_assert_cmpint (info.hypervisor, ==, VIREO_HYPERVISOR_TEST);
  }
}

static void
test_parse_no_error_pointer (void)
{
  VireoUriInfo info;

  /* Passing NULL for the error is allowed and still fails cleanly. */
  g_assert_false (vireo_uri_parse ("nonsense", &info, NULL));
  g_assert_null (info.scheme);
}

/* ---- building ---- */

typedef struct {
  VireoHypervisor hv;
  VireoTransport  tr;
  const char     *user;
  const char     *host;
  gboolean        session;
  const char     *expected;   /* NULL: must fail with INVALID_URI */
} BuildCase;

static const BuildCase build_cases[] = {
  /* QEMU × every transport */
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_LOCAL, NULL, NULL, FALSE, "qemu:///system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_LOCAL, NULL, NULL, TRUE,  "qemu:///session" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_LOCAL, "ignored", "ignored", FALSE, "qemu:///system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, "root", "host.example.com", FALSE,
    "qemu+ssh://root@host.example.com/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, "root", "host.example.com:2222", FALSE,
    "qemu+ssh://root@host.example.com:2222/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, "me", "h", TRUE, "qemu+ssh://me@h/session" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, NULL, "h", FALSE, "qemu+ssh://h/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, "", "h", FALSE, "qemu+ssh://h/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, NULL, "root@h:2200", FALSE, "qemu+ssh://root@h:2200/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TLS, NULL, "kvm1", FALSE, "qemu+tls://kvm1/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TLS, "admin", "kvm1:16514", FALSE, "qemu+tls://admin@kvm1:16514/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TCP, NULL, "127.0.0.1:16509", FALSE, "qemu+tcp://127.0.0.1:16509/system" },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TCP, "u", "10.1.1.1", TRUE, "qemu+tcp://u@10.1.1.1/session" },
  /* Xen × every transport; Xen has no session, the flag does not apply */
  { VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_LOCAL, NULL, NULL, FALSE, "xen:///system" },
  { VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_LOCAL, NULL, NULL, TRUE, "xen:///system" },
  { VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_SSH, "root", "dom0", FALSE, "xen+ssh://root@dom0/system" },
  { VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_SSH, "root", "dom0:22", FALSE, "xen+ssh://root@dom0:22/system" },
  { VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_TLS, NULL, "dom0", FALSE, "xen+tls://dom0/system" },
  { VIREO_HYPERVISOR_XEN, VIREO_TRANSPORT_TCP, "u", "dom0:16509", FALSE, "xen+tcp://u@dom0:16509/system" },
  /* Test × every transport */
  { VIREO_HYPERVISOR_TEST, VIREO_TRANSPORT_LOCAL, NULL, NULL, FALSE, "test:///default" },
  { VIREO_HYPERVISOR_TEST, VIREO_TRANSPORT_SSH, "root", "t", FALSE, "test+ssh://root@t/default" },
  { VIREO_HYPERVISOR_TEST, VIREO_TRANSPORT_TLS, NULL, "t", FALSE, "test+tls://t/default" },
  { VIREO_HYPERVISOR_TEST, VIREO_TRANSPORT_TCP, "root", "t:16509", FALSE, "test+tcp://root@t:16509/default" },
  /* Builtin: this computer only */
  { VIREO_HYPERVISOR_BUILTIN, VIREO_TRANSPORT_LOCAL, NULL, NULL, FALSE, "builtin:///session" },
  { VIREO_HYPERVISOR_BUILTIN, VIREO_TRANSPORT_LOCAL, NULL, NULL, TRUE, "builtin:///session" },
  { VIREO_HYPERVISOR_BUILTIN, VIREO_TRANSPORT_SSH, "root", "h", FALSE, NULL },
  { VIREO_HYPERVISOR_BUILTIN, VIREO_TRANSPORT_TLS, NULL, "h", FALSE, NULL },
  { VIREO_HYPERVISOR_BUILTIN, VIREO_TRANSPORT_TCP, NULL, "h", FALSE, NULL },
  /* Bad input */
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, "root", NULL, FALSE, NULL },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_SSH, "root", "", FALSE, NULL },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TLS, NULL, "my host", FALSE, NULL },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_TCP, NULL, "h/system", FALSE, NULL },
  { VIREO_HYPERVISOR_QEMU, VIREO_TRANSPORT_OTHER, NULL, "h", FALSE, NULL },
  { VIREO_HYPERVISOR_OTHER, VIREO_TRANSPORT_LOCAL, NULL, NULL, FALSE, NULL },
  { VIREO_HYPERVISOR_OTHER, VIREO_TRANSPORT_SSH, "root", "h", FALSE, NULL },
};

static void
test_build (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (build_cases); i++)
    {
      const BuildCase *c = &build_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = vireo_uri_build (c->hv, c->tr, c->user, c->host, c->session, &error);

      g_test_message ("build #%u (hv %d, transport %d, user %s, host %s, session %d)",
                      i, c->hv, c->tr, c->user, c->host, c->session);
      if (c->expected == NULL)
        {
          if (uri != NULL)
            {
              g_test_fail_printf ("build #%u must fail, gave “%s”", i, uri);
              continue;
            }
          g_assert_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI);
          g_assert_cmpuint (strlen (error->message), >, 0);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (uri, ==, c->expected);
        }
    }
}

static void
test_build_round_trip (void)
{
  static const VireoHypervisor hvs[] = { VIREO_HYPERVISOR_QEMU, VIREO_HYPERVISOR_XEN, VIREO_HYPERVISOR_TEST };
  static const VireoTransport trs[] = { VIREO_TRANSPORT_LOCAL, VIREO_TRANSPORT_SSH,
                                        VIREO_TRANSPORT_TLS, VIREO_TRANSPORT_TCP };
  static const struct { const char *user, *host, *want_user, *want_host; int want_port; } remotes[] = {
    { "root", "server.lan", "root", "server.lan", -1 },
    { "root", "server.lan:2222", "root", "server.lan", 2222 },
    { NULL, "192.168.1.10:16509", NULL, "192.168.1.10", 16509 },
    { NULL, "admin@server.lan", "admin", "server.lan", -1 },
    { "root", "[fd00::5]:22", "root", "fd00::5", 22 },
  };

  for (guint h = 0; h < G_N_ELEMENTS (hvs); h++)
    for (guint t = 0; t < G_N_ELEMENTS (trs); t++)
      for (guint r = 0; r < G_N_ELEMENTS (remotes); r++)
        for (int session = 0; session <= 1; session++)
          {
            g_autoptr(GError) error = NULL;
            g_auto(VireoUriInfo) info = { 0 };
            g_autofree char *uri = vireo_uri_build (hvs[h], trs[t], remotes[r].user,
                                                    remotes[r].host, session, &error);

            if (uri == NULL)
              {
                g_test_fail_printf ("building hv %d transport %d user %s host %s failed: %s",
                                    hvs[h], trs[t], remotes[r].user, remotes[r].host,
                                    error->message);
                continue;
              }
            if (!vireo_uri_parse (uri, &info, &error))
              {
                g_test_fail_printf ("the built URI “%s” does not parse: %s", uri, error->message);
                continue;
              }
            g_assert_cmpint (info.hypervisor, ==, hvs[h]);
            g_assert_cmpint (info.transport, ==, trs[t]);
            if (trs[t] == VIREO_TRANSPORT_LOCAL)
              {
                g_assert_null (info.host);
                g_assert_null (info.user);
              }
            else
              {
                g_assert_cmpstr (info.host, ==, remotes[r].want_host);
                g_assert_cmpstr (info.user, ==, remotes[r].want_user);
                g_assert_cmpint (info.port, ==, remotes[r].want_port);
              }
            if (hvs[h] == VIREO_HYPERVISOR_QEMU)
              g_assert_cmpstr (info.path, ==, session ? "/session" : "/system");
          }
}

/* ---- display names ---- */

static void
test_display_name (void)
{
  static const struct { const char *uri, *name; } exact[] = {
    /* The examples the header gives. */
    { "qemu:///system", "QEMU/KVM" },
    { "qemu:///session", "QEMU/KVM User session" },
    { "qemu+ssh://root@host/system", "QEMU/KVM: root@host (SSH)" },
    { "test:///abs/path/node.xml", "Test: node.xml" },
  };
  static const struct { const char *uri; const char *parts[4]; } contains[] = {
    { "xen:///system", { "Xen", NULL } },
    { "xen+ssh://root@dom0/system", { "Xen", "root@dom0", "SSH", NULL } },
    { "qemu+tls://kvm1.example.org/system", { "QEMU/KVM", "kvm1.example.org", "TLS", NULL } },
    { "qemu+tcp://10.0.0.1:16509/system", { "QEMU/KVM", "10.0.0.1", "16509", NULL } },
    { "qemu+ssh://me@h/session", { "session", "me@h", "SSH", NULL } },
    { "test+tcp://127.0.0.1/srv/host-a.xml", { "host-a.xml", "127.0.0.1", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (exact); i++)
    {
      g_autofree char *name = vireo_uri_display_name (exact[i].uri);
      g_assert_cmpstr (name, ==, exact[i].name);
    }
  for (guint i = 0; i < G_N_ELEMENTS (contains); i++)
    {
      g_autofree char *name = vireo_uri_display_name (contains[i].uri);
      g_assert_nonnull (name);
      for (guint j = 0; contains[i].parts[j] != NULL; j++)
        if (strstr (name, contains[i].parts[j]) == NULL)
          g_test_fail_printf ("display name of %s is “%s”, which lacks “%s”",
                   contains[i].uri, name, contains[i].parts[j]);
    }
  /* Two different hosts never share a name. */
  {
    g_autofree char *a = vireo_uri_display_name ("qemu+ssh://root@a/system");
    g_autofree char *b = vireo_uri_display_name ("qemu+ssh://root@b/system");
    g_assert_cmpstr (a, !=, b);
  }
}

static void
test_display_name_bad_input (void)
{
  /* The UI shows whatever the user typed rather than crashing or showing
   * nothing. */
  g_autofree char *a = vireo_uri_display_name ("not a uri");
  g_autofree char *b = vireo_uri_display_name ("");

  g_assert_nonnull (a);
  g_assert_nonnull (strstr (a, "not a uri"));
  g_assert_nonnull (b);
}

/* ---- equality ---- */

static void
test_equal (void)
{
  static const struct { const char *a, *b; gboolean equal; } cases[] = {
    { "qemu:///system", "qemu:///system", TRUE },
    { "qemu:///system", "qemu:///system/", TRUE },
    { "QEMU:///system", "qemu:///system", TRUE },
    { "qemu+ssh://root@Host.Example.COM/system", "qemu+ssh://root@host.example.com/system", TRUE },
    { "qemu+ssh://root@host/system/", "QEMU+SSH://root@HOST/system", TRUE },
    { "qemu+ssh://root@h:2222/system", "qemu+ssh://root@h:2222/system", TRUE },
    { "qemu:///system", "qemu:///session", FALSE },
    { "qemu:///system", "xen:///system", FALSE },
    { "qemu+ssh://root@h/system", "qemu+tls://root@h/system", FALSE },
    { "qemu+ssh://root@h/system", "qemu+ssh://admin@h/system", FALSE },
    { "qemu+ssh://root@h:2222/system", "qemu+ssh://root@h:2223/system", FALSE },
    { "qemu+ssh://root@a/system", "qemu+ssh://root@b/system", FALSE },
    { "test:///srv/a.xml", "test:///srv/b.xml", FALSE },
    /* File names are case-sensitive: only the scheme and host fold. */
    { "test:///srv/Node.xml", "test:///srv/node.xml", FALSE },
    { "qemu+ssh://root@h/system?keyfile=/a", "qemu+ssh://root@h/system?keyfile=/b", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean ab = vireo_uri_equal (cases[i].a, cases[i].b);
      gboolean ba = vireo_uri_equal (cases[i].b, cases[i].a);

      if (ab != cases[i].equal)
        g_test_fail_printf ("vireo_uri_equal(%s, %s) is %d, expected %d",
                 cases[i].a, cases[i].b, ab, cases[i].equal);
      /* Symmetric. */
      g_assert_cmpint (ab, ==, ba);
    }
  g_assert_true (vireo_uri_equal (NULL, NULL));
  g_assert_false (vireo_uri_equal ("qemu:///system", NULL));
  g_assert_false (vireo_uri_equal (NULL, "qemu:///system"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/uri/parse/valid", test_parse_valid);
  g_test_add_func ("/uri/parse/invalid", test_parse_invalid);
  g_test_add_func ("/uri/parse/empty", test_parse_empty);
  g_test_add_func ("/uri/parse/spaces", test_parse_spaces);
  g_test_add_func ("/uri/parse/no-error-pointer", test_parse_no_error_pointer);
  g_test_add_func ("/uri/build/combinations", test_build);
  g_test_add_func ("/uri/build/round-trip", test_build_round_trip);
  g_test_add_func ("/uri/display-name", test_display_name);
  g_test_add_func ("/uri/display-name/bad-input", test_display_name_bad_input);
  g_test_add_func ("/uri/equal", test_equal);

  return g_test_run ();
}
