/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vireo-types.h"

G_DEFINE_QUARK (vireo-error-quark, vireo_error)

const char *
vireo_connection_state_to_string (VireoConnectionState state)
{
  switch (state)
    {
    case VIREO_CONNECTION_STATE_CONNECTED:    return _("Connected");
    case VIREO_CONNECTION_STATE_CONNECTING:   return _("Connecting…");
    case VIREO_CONNECTION_STATE_DISCONNECTED: return _("Disconnected");
    default:                                  return _("Unknown");
    }
}

const char *
vireo_domain_state_to_string (VireoDomainState state)
{
  switch (state)
    {
    case VIREO_DOMAIN_STATE_RUNNING:     return _("Running");
    case VIREO_DOMAIN_STATE_BLOCKED:     return _("Blocked");
    case VIREO_DOMAIN_STATE_PAUSED:      return _("Paused");
    case VIREO_DOMAIN_STATE_SHUTDOWN:    return _("Shutting down");
    case VIREO_DOMAIN_STATE_SHUTOFF:     return _("Shut off");
    case VIREO_DOMAIN_STATE_CRASHED:     return _("Crashed");
    case VIREO_DOMAIN_STATE_PMSUSPENDED: return _("Suspended");
    case VIREO_DOMAIN_STATE_NOSTATE:
    default:                             return _("Unknown");
    }
}

const char *
vireo_domain_state_icon_name (VireoDomainState state)
{
  switch (state)
    {
    case VIREO_DOMAIN_STATE_RUNNING:
    case VIREO_DOMAIN_STATE_BLOCKED:     return "media-playback-start-symbolic";
    case VIREO_DOMAIN_STATE_PAUSED:
    case VIREO_DOMAIN_STATE_PMSUSPENDED: return "media-playback-pause-symbolic";
    case VIREO_DOMAIN_STATE_SHUTDOWN:    return "system-shutdown-symbolic";
    case VIREO_DOMAIN_STATE_SHUTOFF:     return "media-playback-stop-symbolic";
    case VIREO_DOMAIN_STATE_CRASHED:     return "dialog-error-symbolic";
    case VIREO_DOMAIN_STATE_NOSTATE:
    default:                             return "dialog-question-symbolic";
    }
}

gboolean
vireo_domain_state_is_active (VireoDomainState state)
{
  switch (state)
    {
    case VIREO_DOMAIN_STATE_RUNNING:
    case VIREO_DOMAIN_STATE_BLOCKED:
    case VIREO_DOMAIN_STATE_PAUSED:
    case VIREO_DOMAIN_STATE_SHUTDOWN:
    case VIREO_DOMAIN_STATE_PMSUSPENDED:
      return TRUE;
    case VIREO_DOMAIN_STATE_NOSTATE:
    case VIREO_DOMAIN_STATE_SHUTOFF:
    case VIREO_DOMAIN_STATE_CRASHED:
    case VIREO_DOMAIN_STATE_LAST:
    default:
      return FALSE;
    }
}

static const struct {
  const char *verb;
  const char *label;
} action_names[VIREO_DOMAIN_ACTION_LAST] = {
  [VIREO_DOMAIN_ACTION_START]         = { "start",         N_("Run") },
  [VIREO_DOMAIN_ACTION_PAUSE]         = { "suspend",       N_("Pause") },
  [VIREO_DOMAIN_ACTION_RESUME]        = { "resume",        N_("Resume") },
  [VIREO_DOMAIN_ACTION_SHUTDOWN]      = { "shutdown",      N_("Shut Down") },
  [VIREO_DOMAIN_ACTION_REBOOT]        = { "reboot",        N_("Reboot") },
  [VIREO_DOMAIN_ACTION_RESET]         = { "reset",         N_("Reset") },
  [VIREO_DOMAIN_ACTION_FORCE_OFF]     = { "destroy",       N_("Force Off") },
  [VIREO_DOMAIN_ACTION_SAVE]          = { "save",          N_("Save") },
  [VIREO_DOMAIN_ACTION_RESTORE]       = { "restore",       N_("Restore") },
  [VIREO_DOMAIN_ACTION_DELETE]        = { "delete",        N_("Delete") },
  [VIREO_DOMAIN_ACTION_AUTOSTART_ON]  = { "autostart",     N_("Enable Autostart") },
  [VIREO_DOMAIN_ACTION_AUTOSTART_OFF] = { "no-autostart",  N_("Disable Autostart") },
};

const char *
vireo_domain_action_to_label (VireoDomainAction action)
{
  g_return_val_if_fail (action < VIREO_DOMAIN_ACTION_LAST, NULL);
  return _(action_names[action].label);
}

const char *
vireo_domain_action_to_verb (VireoDomainAction action)
{
  g_return_val_if_fail (action < VIREO_DOMAIN_ACTION_LAST, NULL);
  return action_names[action].verb;
}

gboolean
vireo_domain_action_from_verb (const char        *verb,
                               VireoDomainAction *action)
{
  g_return_val_if_fail (action != NULL, FALSE);

  if (verb == NULL)
    return FALSE;
  for (guint i = 0; i < VIREO_DOMAIN_ACTION_LAST; i++)
    if (strcmp (verb, action_names[i].verb) == 0)
      {
        *action = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
vireo_domain_action_is_destructive (VireoDomainAction action)
{
  return action == VIREO_DOMAIN_ACTION_FORCE_OFF ||
         action == VIREO_DOMAIN_ACTION_RESET ||
         action == VIREO_DOMAIN_ACTION_DELETE;
}

gboolean
vireo_domain_action_allowed (VireoDomainAction action,
                             VireoDomainState  state,
                             gboolean          persistent,
                             gboolean          has_managed_save,
                             gboolean          autostart)
{
  gboolean active = vireo_domain_state_is_active (state);
  gboolean running = state == VIREO_DOMAIN_STATE_RUNNING ||
                     state == VIREO_DOMAIN_STATE_BLOCKED;

  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:
      return !active && !has_managed_save;
    case VIREO_DOMAIN_ACTION_RESTORE:
      return !active && has_managed_save;
    case VIREO_DOMAIN_ACTION_PAUSE:
      return running;
    case VIREO_DOMAIN_ACTION_RESUME:
      return state == VIREO_DOMAIN_STATE_PAUSED;
    case VIREO_DOMAIN_ACTION_SHUTDOWN:
    case VIREO_DOMAIN_ACTION_REBOOT:
      return running;
    case VIREO_DOMAIN_ACTION_RESET:
      return running || state == VIREO_DOMAIN_STATE_PAUSED;
    case VIREO_DOMAIN_ACTION_FORCE_OFF:
      return active;
    case VIREO_DOMAIN_ACTION_SAVE:
      return persistent && (running || state == VIREO_DOMAIN_STATE_PAUSED);
    case VIREO_DOMAIN_ACTION_DELETE:
      return persistent && !active;
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:
      return persistent && !autostart;
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF:
      return persistent && autostart;
    case VIREO_DOMAIN_ACTION_LAST:
    default:
      return FALSE;
    }
}
