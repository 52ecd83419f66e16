/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Enumerations shared by every backend and by the UI. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  VIREO_CONNECTION_STATE_DISCONNECTED,
  VIREO_CONNECTION_STATE_CONNECTING,
  VIREO_CONNECTION_STATE_CONNECTED,
} VireoConnectionState;

/* Mirrors virDomainState so that the libvirt mapping is an identity, but the
 * UI never includes libvirt headers. */
typedef enum {
  VIREO_DOMAIN_STATE_NOSTATE = 0,
  VIREO_DOMAIN_STATE_RUNNING,
  VIREO_DOMAIN_STATE_BLOCKED,
  VIREO_DOMAIN_STATE_PAUSED,
  VIREO_DOMAIN_STATE_SHUTDOWN,   /* being shut down */
  VIREO_DOMAIN_STATE_SHUTOFF,
  VIREO_DOMAIN_STATE_CRASHED,
  VIREO_DOMAIN_STATE_PMSUSPENDED,
  VIREO_DOMAIN_STATE_LAST
} VireoDomainState;

typedef enum {
  VIREO_DOMAIN_ACTION_START,
  VIREO_DOMAIN_ACTION_PAUSE,
  VIREO_DOMAIN_ACTION_RESUME,
  VIREO_DOMAIN_ACTION_SHUTDOWN,      /* ACPI power button */
  VIREO_DOMAIN_ACTION_REBOOT,
  VIREO_DOMAIN_ACTION_RESET,
  VIREO_DOMAIN_ACTION_FORCE_OFF,
  VIREO_DOMAIN_ACTION_SAVE,          /* managed save */
  VIREO_DOMAIN_ACTION_RESTORE,       /* start from the managed save image */
  VIREO_DOMAIN_ACTION_DELETE,
  VIREO_DOMAIN_ACTION_AUTOSTART_ON,
  VIREO_DOMAIN_ACTION_AUTOSTART_OFF,
  VIREO_DOMAIN_ACTION_LAST
} VireoDomainAction;

typedef enum {
  VIREO_ACTION_FLAGS_NONE = 0,
  VIREO_ACTION_FLAGS_REMOVE_STORAGE = 1 << 0,  /* with DELETE */
} VireoActionFlags;

/* The time series each VM keeps. */
typedef enum {
  VIREO_SERIES_CPU,          /* percent of the host's CPU time */
  VIREO_SERIES_MEMORY,       /* percent of the VM's memory in use */
  VIREO_SERIES_DISK_READ,    /* bytes per second */
  VIREO_SERIES_DISK_WRITE,
  VIREO_SERIES_NET_RX,
  VIREO_SERIES_NET_TX,
  VIREO_SERIES_LAST
} VireoSeries;

typedef enum {
  VIREO_GRAPHICS_NONE,
  VIREO_GRAPHICS_VNC,
  VIREO_GRAPHICS_SPICE,
} VireoGraphicsType;

#define VIREO_ERROR (vireo_error_quark ())
GQuark vireo_error_quark (void);

typedef enum {
  VIREO_ERROR_FAILED,
  VIREO_ERROR_INVALID_URI,
  VIREO_ERROR_NOT_CONNECTED,
  VIREO_ERROR_NOT_FOUND,
  VIREO_ERROR_NOT_ALLOWED,    /* action not valid in the VM's state */
  VIREO_ERROR_UNSUPPORTED,    /* the hypervisor does not offer it */
  VIREO_ERROR_AUTH_FAILED,
  VIREO_ERROR_CANCELLED,
} VireoError;

const char *vireo_connection_state_to_string (VireoConnectionState state);
const char *vireo_domain_state_to_string     (VireoDomainState state);
const char *vireo_domain_state_icon_name     (VireoDomainState state);
gboolean    vireo_domain_state_is_active     (VireoDomainState state);

const char *vireo_domain_action_to_label     (VireoDomainAction action);
const char *vireo_domain_action_to_verb      (VireoDomainAction action);
gboolean    vireo_domain_action_from_verb    (const char        *verb,
                                              VireoDomainAction *action);
gboolean    vireo_domain_action_is_destructive (VireoDomainAction action);
gboolean    vireo_domain_action_allowed      (VireoDomainAction action,
                                              VireoDomainState  state,
                                              gboolean          persistent,
                                              gboolean          has_managed_save,
                                              gboolean          autostart);

G_END_DECLS
