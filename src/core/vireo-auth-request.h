/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A question libvirt asks while opening a connection (user name, password).
 * The connection emits VireoConnection::authenticate on the main thread with
 * one of these; the handler fills the values and calls complete(), at once or
 * later (after a dialog). The opening worker waits for it. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  VIREO_CREDENTIAL_USERNAME,
  VIREO_CREDENTIAL_PASSWORD,     /* secret */
  VIREO_CREDENTIAL_PASSPHRASE,   /* secret */
  VIREO_CREDENTIAL_OTHER,        /* echoed free text */
  VIREO_CREDENTIAL_OTHER_SECRET,
} VireoCredentialKind;

#define VIREO_TYPE_AUTH_REQUEST (vireo_auth_request_get_type ())
G_DECLARE_FINAL_TYPE (VireoAuthRequest, vireo_auth_request, VIREO, AUTH_REQUEST, GObject)

VireoAuthRequest   *vireo_auth_request_new            (const char *uri);
const char         *vireo_auth_request_get_uri        (VireoAuthRequest *self);
guint               vireo_auth_request_get_n_credentials (VireoAuthRequest *self);
void                vireo_auth_request_add_credential (VireoAuthRequest   *self,
                                                       VireoCredentialKind kind,
                                                       const char         *prompt,
                                                       const char         *default_value);
VireoCredentialKind vireo_auth_request_get_kind       (VireoAuthRequest *self,
                                                       guint             i);
const char         *vireo_auth_request_get_prompt     (VireoAuthRequest *self,
                                                       guint             i);
const char         *vireo_auth_request_get_default    (VireoAuthRequest *self,
                                                       guint             i);
void                vireo_auth_request_set_value      (VireoAuthRequest *self,
                                                       guint             i,
                                                       const char       *value);
const char         *vireo_auth_request_get_value      (VireoAuthRequest *self,
                                                       guint             i);
gboolean            vireo_auth_request_is_secret      (VireoAuthRequest *self,
                                                       guint             i);
/* Ask the connection to keep the password in the keyring (libsecret) once
 * the connection succeeds. */
void                vireo_auth_request_set_remember   (VireoAuthRequest *self,
                                                       gboolean          remember);
gboolean            vireo_auth_request_get_remember   (VireoAuthRequest *self);
/* ok = FALSE means the user cancelled. Call exactly once. */
void                vireo_auth_request_complete       (VireoAuthRequest *self,
                                                       gboolean          ok);
/* Blocks the calling (worker) thread until complete() or the timeout;
 * returns ok. */
gboolean            vireo_auth_request_wait           (VireoAuthRequest *self,
                                                       gint64            timeout_us);

G_END_DECLS
