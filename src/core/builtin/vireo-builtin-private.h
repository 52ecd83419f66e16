/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the files of the builtin backend. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define QMP_TIMEOUT_MS   5000
#define START_TIMEOUT_US (30 * G_USEC_PER_SEC)

/* The last `lines` lines of the VM's QEMU log ("" when there is none). */
char    *vireo_builtin_log_tail           (const char *uuid,
                                           guint       lines);

/* vireo-builtin-save.c: a saved VM is $XDG_DATA_HOME/vireo/save/UUID and a
 * suffix: .state (its memory), .xml (the definition it ran with), .paused
 * (it was paused), .state.failed (a state that could not be loaded). */
char    *vireo_builtin_save_file          (const char *uuid,
                                           const char *suffix);
void     vireo_builtin_remove_saved_state (const char *uuid);
/* Stops the running VM and migrates it into .state; on failure it runs on
 * as before. QEMU is left for the caller to end. */
gboolean vireo_builtin_save_to_file       (const char  *uuid,
                                           const char  *xml,
                                           GError     **error);
/* Feeds .state to a QEMU started with -S -incoming defer and continues it
 * (unless it was saved paused); removes the saved files. A state QEMU
 * cannot load is set aside as .state.failed, with QEMU's words. */
gboolean vireo_builtin_restore_state      (const char  *uuid,
                                           GSubprocess *process,
                                           GError     **error);

G_END_DECLS
