/* SPDX-License-Identifier: GPL-3.0-or-later */
/* State names, action verbs and which action is allowed in which state. */
#include <glib.h>
#include <string.h>

#include "vireo-types.h"

static const VireoDomainState all_states[] = {
  VIREO_DOMAIN_STATE_NOSTATE, VIREO_DOMAIN_STATE_RUNNING, VIREO_DOMAIN_STATE_BLOCKED,
  VIREO_DOMAIN_STATE_PAUSED, VIREO_DOMAIN_STATE_SHUTDOWN, VIREO_DOMAIN_STATE_SHUTOFF,
  VIREO_DOMAIN_STATE_CRASHED, VIREO_DOMAIN_STATE_PMSUSPENDED,
};

static void
test_state_strings (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  /* The header's example row is "web-1, Running". */
  g_assert_cmpstr (vireo_domain_state_to_string (VIREO_DOMAIN_STATE_RUNNING), ==, "Running");
  g_assert_cmpstr (vireo_domain_state_to_string (VIREO_DOMAIN_STATE_PAUSED), ==, "Paused");
  g_assert_nonnull (strstr (vireo_domain_state_to_string (VIREO_DOMAIN_STATE_SHUTOFF), "off"));

  for (guint i = 0; i < G_N_ELEMENTS (all_states); i++)
    {
      const char *s = vireo_domain_state_to_string (all_states[i]);
      const char *icon = vireo_domain_state_icon_name (all_states[i]);

      g_assert_nonnull (s);
      g_assert_cmpuint (strlen (s), >, 0);
      g_assert_nonnull (icon);
      g_assert_true (g_str_has_suffix (icon, "-symbolic"));
      /* Each real state reads differently in the list. */
      if (all_states[i] != VIREO_DOMAIN_STATE_NOSTATE)
        {
          if (g_hash_table_contains (seen, s))
            g_test_fail_printf ("two states share the name “%s”", s);
          g_hash_table_add (seen, (gpointer) s);
        }
    }
  /* A state from a newer libvirt than ours still gets a name. */
  g_assert_nonnull (vireo_domain_state_to_string (VIREO_DOMAIN_STATE_LAST));
  g_assert_nonnull (vireo_domain_state_to_string ((VireoDomainState) 42));
  g_assert_nonnull (vireo_domain_state_icon_name ((VireoDomainState) 42));

  /* Running and shut off look different. */
  g_assert_cmpstr (vireo_domain_state_icon_name (VIREO_DOMAIN_STATE_RUNNING), !=,
                   vireo_domain_state_icon_name (VIREO_DOMAIN_STATE_SHUTOFF));
}

static void
test_connection_state_strings (void)
{
  /* The header spells these out for dup_status_text. */
  g_assert_cmpstr (vireo_connection_state_to_string (VIREO_CONNECTION_STATE_CONNECTED), ==, "Connected");
  g_assert_cmpstr (vireo_connection_state_to_string (VIREO_CONNECTION_STATE_CONNECTING), ==, "Connecting…");
  g_assert_cmpstr (vireo_connection_state_to_string (VIREO_CONNECTION_STATE_DISCONNECTED), ==, "Disconnected");
}

static void
test_state_is_active (void)
{
  g_assert_true (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_RUNNING));
  g_assert_true (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_BLOCKED));
  g_assert_true (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_PAUSED));
  g_assert_true (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_SHUTDOWN));
  g_assert_true (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_PMSUSPENDED));
  g_assert_false (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_SHUTOFF));
  g_assert_false (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_NOSTATE));
  g_assert_false (vireo_domain_state_is_active (VIREO_DOMAIN_STATE_LAST));
}

/* One row per (action, state, persistent, managed save, autostart) we are
 * sure of; combinations a VM manager could reasonably decide either way
 * (shut down a paused VM, start one that has a saved image) are left out. */
typedef struct {
  VireoDomainAction action;
  VireoDomainState  state;
  gboolean          persistent;
  gboolean          managed_save;
  gboolean          autostart;
  gboolean          allowed;
} AllowedCase;

#define R VIREO_DOMAIN_STATE_RUNNING
#define P VIREO_DOMAIN_STATE_PAUSED
#define O VIREO_DOMAIN_STATE_SHUTOFF
#define A(x) VIREO_DOMAIN_ACTION_##x

static const AllowedCase allowed_cases[] = {
  /* start only when shut off */
  { A(START), O, TRUE,  FALSE, FALSE, TRUE },
  { A(START), O, FALSE, FALSE, FALSE, TRUE },
  { A(START), R, TRUE,  FALSE, FALSE, FALSE },
  { A(START), P, TRUE,  FALSE, FALSE, FALSE },
  { A(START), VIREO_DOMAIN_STATE_BLOCKED, TRUE, FALSE, FALSE, FALSE },
  { A(START), VIREO_DOMAIN_STATE_PMSUSPENDED, TRUE, FALSE, FALSE, FALSE },
  /* pause only when running */
  { A(PAUSE), R, TRUE,  FALSE, FALSE, TRUE },
  { A(PAUSE), R, FALSE, FALSE, FALSE, TRUE },
  { A(PAUSE), P, TRUE,  FALSE, FALSE, FALSE },
  { A(PAUSE), O, TRUE,  FALSE, FALSE, FALSE },
  /* resume only when paused */
  { A(RESUME), P, TRUE,  FALSE, FALSE, TRUE },
  { A(RESUME), P, FALSE, FALSE, FALSE, TRUE },
  { A(RESUME), R, TRUE,  FALSE, FALSE, FALSE },
  { A(RESUME), O, TRUE,  FALSE, FALSE, FALSE },
  { A(RESUME), O, TRUE,  TRUE,  FALSE, FALSE },
  /* shutdown, reboot: a running guest */
  { A(SHUTDOWN), R, TRUE,  FALSE, FALSE, TRUE },
  { A(SHUTDOWN), R, FALSE, FALSE, FALSE, TRUE },
  { A(SHUTDOWN), O, TRUE,  FALSE, FALSE, FALSE },
  { A(REBOOT), R, TRUE,  FALSE, FALSE, TRUE },
  { A(REBOOT), O, TRUE,  FALSE, FALSE, FALSE },
  /* reset: a running guest */
  { A(RESET), R, TRUE,  FALSE, FALSE, TRUE },
  { A(RESET), O, TRUE,  FALSE, FALSE, FALSE },
  /* force off: anything active */
  { A(FORCE_OFF), R, TRUE,  FALSE, FALSE, TRUE },
  { A(FORCE_OFF), R, FALSE, FALSE, FALSE, TRUE },
  { A(FORCE_OFF), P, TRUE,  FALSE, FALSE, TRUE },
  { A(FORCE_OFF), VIREO_DOMAIN_STATE_SHUTDOWN, TRUE, FALSE, FALSE, TRUE },
  { A(FORCE_OFF), O, TRUE,  FALSE, FALSE, FALSE },
  { A(FORCE_OFF), O, TRUE,  TRUE,  FALSE, FALSE },
  /* managed save: an active persistent guest */
  { A(SAVE), R, TRUE,  FALSE, FALSE, TRUE },
  { A(SAVE), P, TRUE,  FALSE, FALSE, TRUE },
  { A(SAVE), R, FALSE, FALSE, FALSE, FALSE },
  { A(SAVE), O, TRUE,  FALSE, FALSE, FALSE },
  { A(SAVE), O, TRUE,  TRUE,  FALSE, FALSE },
  /* restore only with a managed save image, and only when off */
  { A(RESTORE), O, TRUE,  TRUE,  FALSE, TRUE },
  { A(RESTORE), O, TRUE,  FALSE, FALSE, FALSE },
  { A(RESTORE), R, TRUE,  FALSE, FALSE, FALSE },
  { A(RESTORE), P, TRUE,  FALSE, FALSE, FALSE },
  /* delete only persistent, and not while it runs */
  { A(DELETE), O, TRUE,  FALSE, FALSE, TRUE },
  { A(DELETE), O, TRUE,  FALSE, TRUE,  TRUE },
  { A(DELETE), R, FALSE, FALSE, FALSE, FALSE },
  { A(DELETE), P, FALSE, FALSE, FALSE, FALSE },
  { A(DELETE), R, TRUE,  FALSE, FALSE, FALSE },
  /* autostart: persistent guests, in any state, toggling */
  { A(AUTOSTART_ON), O, TRUE,  FALSE, FALSE, TRUE },
  { A(AUTOSTART_ON), R, TRUE,  FALSE, FALSE, TRUE },
  { A(AUTOSTART_ON), O, TRUE,  FALSE, TRUE,  FALSE },
  { A(AUTOSTART_ON), R, FALSE, FALSE, FALSE, FALSE },
  { A(AUTOSTART_OFF), O, TRUE,  FALSE, TRUE,  TRUE },
  { A(AUTOSTART_OFF), R, TRUE,  FALSE, TRUE,  TRUE },
  { A(AUTOSTART_OFF), O, TRUE,  FALSE, FALSE, FALSE },
  { A(AUTOSTART_OFF), R, FALSE, FALSE, FALSE, FALSE },
};

#undef R
#undef P
#undef O

static void
test_action_allowed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_cases); i++)
    {
      const AllowedCase *c = &allowed_cases[i];
      gboolean got = vireo_domain_action_allowed (c->action, c->state, c->persistent,
                                                  c->managed_save, c->autostart);
      if (got != c->allowed)
        g_test_fail_printf ("%s (%s) in state %s, persistent=%d, managed save=%d, autostart=%d: "
                 "allowed is %d, expected %d",
                 vireo_domain_action_to_verb (c->action),
                 vireo_domain_action_to_label (c->action),
                 vireo_domain_state_to_string (c->state),
                 c->persistent, c->managed_save, c->autostart, got, c->allowed);
    }
}

static void
test_action_allowed_every_state (void)
{
  /* Properties that hold across every state. */
  for (guint i = 0; i < G_N_ELEMENTS (all_states); i++)
    {
      VireoDomainState s = all_states[i];
      gboolean active = vireo_domain_state_is_active (s);

      for (int save = 0; save <= 1; save++)
        for (int autostart = 0; autostart <= 1; autostart++)
          {
            /* A transient guest can be neither deleted, saved nor autostarted. */
            g_assert_false (vireo_domain_action_allowed (A(DELETE), s, FALSE, save, autostart));
            g_assert_false (vireo_domain_action_allowed (A(SAVE), s, FALSE, save, autostart));
            g_assert_false (vireo_domain_action_allowed (A(AUTOSTART_ON), s, FALSE, save, autostart));
            g_assert_false (vireo_domain_action_allowed (A(AUTOSTART_OFF), s, FALSE, save, autostart));
            /* Only an active guest can be stopped, paused or resumed. */
            if (!active)
              {
                g_assert_false (vireo_domain_action_allowed (A(FORCE_OFF), s, TRUE, save, autostart));
                g_assert_false (vireo_domain_action_allowed (A(PAUSE), s, TRUE, save, autostart));
                g_assert_false (vireo_domain_action_allowed (A(RESUME), s, TRUE, save, autostart));
                g_assert_false (vireo_domain_action_allowed (A(SHUTDOWN), s, TRUE, save, autostart));
                g_assert_false (vireo_domain_action_allowed (A(REBOOT), s, TRUE, save, autostart));
              }
            else
              {
                g_assert_false (vireo_domain_action_allowed (A(START), s, TRUE, save, autostart));
                g_assert_false (vireo_domain_action_allowed (A(RESTORE), s, TRUE, save, autostart));
              }
            /* Exactly one of the two autostart toggles applies to a persistent guest. */
            g_assert_cmpint (vireo_domain_action_allowed (A(AUTOSTART_ON), s, TRUE, save, autostart), !=,
                             vireo_domain_action_allowed (A(AUTOSTART_OFF), s, TRUE, save, autostart));
          }
      /* No action past the end of the enum is ever allowed. */
      g_assert_false (vireo_domain_action_allowed (VIREO_DOMAIN_ACTION_LAST, s, TRUE, TRUE, TRUE));
    }
}

static void
test_verbs (void)
{
  static const struct { const char *verb; VireoDomainAction action; } cli[] = {
    /* What vireoctl (and virsh) call them. */
    { "start", A(START) },
    { "shutdown", A(SHUTDOWN) },
    { "reboot", A(REBOOT) },
    { "reset", A(RESET) },
    { "destroy", A(FORCE_OFF) },
    { "suspend", A(PAUSE) },
    { "resume", A(RESUME) },
    { "save", A(SAVE) },
    { "restore", A(RESTORE) },
    { "delete", A(DELETE) },
    { "autostart", A(AUTOSTART_ON) },
  };
  g_autoptr(GHashTable) verbs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (cli); i++)
    {
      VireoDomainAction action = VIREO_DOMAIN_ACTION_LAST;

      if (!vireo_domain_action_from_verb (cli[i].verb, &action))
        {
          g_test_fail_printf ("verb “%s” is not recognised", cli[i].verb);
          continue;
        }
      g_assert_cmpint (action, ==, cli[i].action);
      g_assert_cmpstr (vireo_domain_action_to_verb (cli[i].action), ==, cli[i].verb);
    }

  /* Every action round-trips, and verbs and labels are distinct. */
  for (VireoDomainAction a = 0; a < VIREO_DOMAIN_ACTION_LAST; a++)
    {
      const char *verb = vireo_domain_action_to_verb (a);
      const char *label = vireo_domain_action_to_label (a);
      VireoDomainAction back = VIREO_DOMAIN_ACTION_LAST;

      g_assert_nonnull (verb);
      g_assert_cmpuint (strlen (verb), >, 0);
      g_assert_null (strchr (verb, ' '));
      g_assert_nonnull (label);
      g_assert_cmpuint (strlen (label), >, 0);
      g_assert_true (vireo_domain_action_from_verb (verb, &back));
      g_assert_cmpint (back, ==, a);
      if (g_hash_table_contains (verbs, verb))
        g_test_fail_printf ("two actions share the verb “%s”", verb);
      g_hash_table_add (verbs, (gpointer) verb);
      if (g_hash_table_contains (labels, label))
        g_test_fail_printf ("two actions share the label “%s”", label);
      g_hash_table_add (labels, (gpointer) label);
    }

  {
    VireoDomainAction untouched = A(REBOOT);
    g_assert_false (vireo_domain_action_from_verb ("frobnicate", &untouched));
    g_assert_false (vireo_domain_action_from_verb ("", &untouched));
    g_assert_false (vireo_domain_action_from_verb (NULL, &untouched));
    g_assert_false (vireo_domain_action_from_verb ("star", &untouched));
    g_assert_false (vireo_domain_action_from_verb ("starting", &untouched));
    /* A failed lookup leaves the output alone. */
    g_assert_cmpint (untouched, ==, A(REBOOT));
  }
}

static void
test_destructive (void)
{
  /* What the UI confirms first: losing guest state or the VM itself. */
  g_assert_true (vireo_domain_action_is_destructive (A(FORCE_OFF)));
  g_assert_true (vireo_domain_action_is_destructive (A(DELETE)));
  g_assert_true (vireo_domain_action_is_destructive (A(RESET)));
  g_assert_false (vireo_domain_action_is_destructive (A(START)));
  g_assert_false (vireo_domain_action_is_destructive (A(PAUSE)));
  g_assert_false (vireo_domain_action_is_destructive (A(RESUME)));
  g_assert_false (vireo_domain_action_is_destructive (A(SAVE)));
  g_assert_false (vireo_domain_action_is_destructive (A(RESTORE)));
  g_assert_false (vireo_domain_action_is_destructive (A(AUTOSTART_ON)));
  g_assert_false (vireo_domain_action_is_destructive (A(AUTOSTART_OFF)));
}

static void
test_error_quark (void)
{
  g_autoptr(GError) error = g_error_new_literal (VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED, "x");

  g_assert_cmpuint (VIREO_ERROR, !=, 0);
  g_assert_cmpuint (VIREO_ERROR, ==, vireo_error_quark ());
  g_assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED));
  g_assert_cmpstr (g_quark_to_string (VIREO_ERROR), !=, "");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/types/state-strings", test_state_strings);
  g_test_add_func ("/types/connection-state-strings", test_connection_state_strings);
  g_test_add_func ("/types/state-is-active", test_state_is_active);
  g_test_add_func ("/types/action-allowed", test_action_allowed);
  g_test_add_func ("/types/action-allowed/every-state", test_action_allowed_every_state);
  g_test_add_func ("/types/verbs", test_verbs);
  g_test_add_func ("/types/destructive", test_destructive);
  g_test_add_func ("/types/error-quark", test_error_quark);

  return g_test_run ();
}
