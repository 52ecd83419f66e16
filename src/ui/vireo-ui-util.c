/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-ui-util.h"

/* Whole sentences, so that translators can order them freely. */
char *
vireo_ui_format_action_error (VireoDomainAction  action,
                              const char        *name,
                              const char        *message)
{
  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:
      return g_strdup_printf (_("Could not start “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_PAUSE:
      return g_strdup_printf (_("Could not pause “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_RESUME:
      return g_strdup_printf (_("Could not resume “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_SHUTDOWN:
      return g_strdup_printf (_("Could not shut down “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_REBOOT:
      return g_strdup_printf (_("Could not reboot “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_RESET:
      return g_strdup_printf (_("Could not reset “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_FORCE_OFF:
      return g_strdup_printf (_("Could not force off “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_SAVE:
      return g_strdup_printf (_("Could not save “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_RESTORE:
      return g_strdup_printf (_("Could not restore “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_DELETE:
      return g_strdup_printf (_("Could not delete “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:
      return g_strdup_printf (_("Could not enable autostart of “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF:
      return g_strdup_printf (_("Could not disable autostart of “%s”: %s"), name, message);
    case VIREO_DOMAIN_ACTION_LAST:
    default:
      return g_strdup_printf (_("Could not change “%s”: %s"), name, message);
    }
}
