/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "vireo-auth-request.h"

typedef struct {
  VireoCredentialKind kind;
  char *prompt;
  char *default_value;
  char *value;
} Credential;

struct _VireoAuthRequest {
  GObject  parent_instance;
  char    *uri;
  GArray  *credentials;  /* Credential */
  gboolean remember;
  /* The opening worker waits on these until the UI answers. */
  GMutex   mutex;
  GCond    cond;
  gboolean completed;
  gboolean ok;
};

G_DEFINE_FINAL_TYPE (VireoAuthRequest, vireo_auth_request, G_TYPE_OBJECT)

static void
credential_clear (gpointer data)
{
  Credential *c = data;

  g_free (c->prompt);
  g_free (c->default_value);
  if (c->value != NULL)
    {
      /* Do not leave a password lying in freed memory. */
      memset (c->value, 0, strlen (c->value));
      g_free (c->value);
    }
}

static void
vireo_auth_request_finalize (GObject *object)
{
  VireoAuthRequest *self = VIREO_AUTH_REQUEST (object);

  g_free (self->uri);
  g_array_unref (self->credentials);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (vireo_auth_request_parent_class)->finalize (object);
}

static void
vireo_auth_request_class_init (VireoAuthRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_auth_request_finalize;
}

static void
vireo_auth_request_init (VireoAuthRequest *self)
{
  self->credentials = g_array_new (FALSE, TRUE, sizeof (Credential));
  g_array_set_clear_func (self->credentials, credential_clear);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
}

VireoAuthRequest *
vireo_auth_request_new (const char *uri)
{
  VireoAuthRequest *self = g_object_new (VIREO_TYPE_AUTH_REQUEST, NULL);

  self->uri = g_strdup (uri);
  return self;
}

const char *
vireo_auth_request_get_uri (VireoAuthRequest *self)
{
  g_return_val_if_fail (VIREO_IS_AUTH_REQUEST (self), NULL);
  return self->uri;
}

guint
vireo_auth_request_get_n_credentials (VireoAuthRequest *self)
{
  g_return_val_if_fail (VIREO_IS_AUTH_REQUEST (self), 0);
  return self->credentials->len;
}

void
vireo_auth_request_add_credential (VireoAuthRequest   *self,
                                   VireoCredentialKind kind,
                                   const char         *prompt,
                                   const char         *default_value)
{
  Credential c = { kind, g_strdup (prompt), g_strdup (default_value), NULL };

  g_return_if_fail (VIREO_IS_AUTH_REQUEST (self));
  g_array_append_val (self->credentials, c);
}

static Credential *
get_credential (VireoAuthRequest *self,
                guint             i)
{
  g_return_val_if_fail (VIREO_IS_AUTH_REQUEST (self), NULL);
  g_return_val_if_fail (i < self->credentials->len, NULL);
  return &g_array_index (self->credentials, Credential, i);
}

VireoCredentialKind
vireo_auth_request_get_kind (VireoAuthRequest *self,
                             guint             i)
{
  Credential *c = get_credential (self, i);
  return c ? c->kind : VIREO_CREDENTIAL_OTHER;
}

const char *
vireo_auth_request_get_prompt (VireoAuthRequest *self,
                               guint             i)
{
  Credential *c = get_credential (self, i);
  return c ? c->prompt : NULL;
}

const char *
vireo_auth_request_get_default (VireoAuthRequest *self,
                                guint             i)
{
  Credential *c = get_credential (self, i);
  return c ? c->default_value : NULL;
}

void
vireo_auth_request_set_value (VireoAuthRequest *self,
                              guint             i,
                              const char       *value)
{
  Credential *c = get_credential (self, i);

  if (c == NULL)
    return;
  g_free (c->value);
  c->value = g_strdup (value);
}

const char *
vireo_auth_request_get_value (VireoAuthRequest *self,
                              guint             i)
{
  Credential *c = get_credential (self, i);
  return c ? c->value : NULL;
}

gboolean
vireo_auth_request_is_secret (VireoAuthRequest *self,
                              guint             i)
{
  Credential *c = get_credential (self, i);

  return c != NULL && (c->kind == VIREO_CREDENTIAL_PASSWORD ||
                       c->kind == VIREO_CREDENTIAL_PASSPHRASE ||
                       c->kind == VIREO_CREDENTIAL_OTHER_SECRET);
}

void
vireo_auth_request_set_remember (VireoAuthRequest *self,
                                 gboolean          remember)
{
  g_return_if_fail (VIREO_IS_AUTH_REQUEST (self));
  self->remember = !!remember;
}

gboolean
vireo_auth_request_get_remember (VireoAuthRequest *self)
{
  g_return_val_if_fail (VIREO_IS_AUTH_REQUEST (self), FALSE);
  return self->remember;
}

void
vireo_auth_request_complete (VireoAuthRequest *self,
                             gboolean          ok)
{
  g_return_if_fail (VIREO_IS_AUTH_REQUEST (self));

  g_mutex_lock (&self->mutex);
  if (!self->completed)
    {
      self->completed = TRUE;
      self->ok = !!ok;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
}

gboolean
vireo_auth_request_wait (VireoAuthRequest *self,
                         gint64            timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean ok;

  g_return_val_if_fail (VIREO_IS_AUTH_REQUEST (self), FALSE);

  g_mutex_lock (&self->mutex);
  while (!self->completed)
    if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
      break;
  ok = self->completed && self->ok;
  g_mutex_unlock (&self->mutex);
  return ok;
}
