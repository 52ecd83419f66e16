/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-network-private.h"

void
vireo_object_info_free (VireoObjectInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->uuid);
  g_free (info->name);
  g_free (info);
}

/* Networks and pools share one shape of record; each notifies "changed"
 * properties through plain notify on its fields. */

struct _VireoNetwork {
  GObject  parent_instance;
  char    *uuid;
  char    *name;
  gboolean active;
  gboolean autostart;
};

G_DEFINE_FINAL_TYPE (VireoNetwork, vireo_network, G_TYPE_OBJECT)

enum { NET_PROP_0, NET_PROP_NAME, NET_PROP_ACTIVE, NET_PROP_AUTOSTART, NET_N_PROPS };
static GParamSpec *net_props[NET_N_PROPS];

static void
vireo_network_finalize (GObject *object)
{
  VireoNetwork *self = VIREO_NETWORK (object);

  g_free (self->uuid);
  g_free (self->name);
  G_OBJECT_CLASS (vireo_network_parent_class)->finalize (object);
}

static void
vireo_network_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VireoNetwork *self = VIREO_NETWORK (object);

  switch (prop_id)
    {
    case NET_PROP_NAME:      g_value_set_string (value, self->name); break;
    case NET_PROP_ACTIVE:    g_value_set_boolean (value, self->active); break;
    case NET_PROP_AUTOSTART: g_value_set_boolean (value, self->autostart); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_network_class_init (VireoNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vireo_network_finalize;
  object_class->get_property = vireo_network_get_property;
  net_props[NET_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  net_props[NET_PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, flags);
  net_props[NET_PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, NET_N_PROPS, net_props);
}

static void
vireo_network_init (VireoNetwork *self)
{
}

VireoNetwork *
vireo_network_new (const VireoObjectInfo *info)
{
  VireoNetwork *self = g_object_new (VIREO_TYPE_NETWORK, NULL);

  self->uuid = g_strdup (info->uuid);
  vireo_network_update (self, info);
  return self;
}

void
vireo_network_update (VireoNetwork          *self,
                      const VireoObjectInfo *info)
{
  if (g_strcmp0 (self->name, info->name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (info->name);
      g_object_notify_by_pspec (G_OBJECT (self), net_props[NET_PROP_NAME]);
    }
  if (self->active != info->active)
    {
      self->active = info->active;
      g_object_notify_by_pspec (G_OBJECT (self), net_props[NET_PROP_ACTIVE]);
    }
  if (self->autostart != info->autostart)
    {
      self->autostart = info->autostart;
      g_object_notify_by_pspec (G_OBJECT (self), net_props[NET_PROP_AUTOSTART]);
    }
}

const char *vireo_network_get_name (VireoNetwork *self) { g_return_val_if_fail (VIREO_IS_NETWORK (self), NULL); return self->name; }
const char *vireo_network_get_uuid (VireoNetwork *self) { g_return_val_if_fail (VIREO_IS_NETWORK (self), NULL); return self->uuid; }
gboolean vireo_network_get_active (VireoNetwork *self) { g_return_val_if_fail (VIREO_IS_NETWORK (self), FALSE); return self->active; }
gboolean vireo_network_get_autostart (VireoNetwork *self) { g_return_val_if_fail (VIREO_IS_NETWORK (self), FALSE); return self->autostart; }

struct _VireoPool {
  GObject  parent_instance;
  char    *uuid;
  char    *name;
  gboolean active;
  guint64  capacity;
  guint64  available;
};

G_DEFINE_FINAL_TYPE (VireoPool, vireo_pool, G_TYPE_OBJECT)

enum { POOL_PROP_0, POOL_PROP_NAME, POOL_PROP_ACTIVE, POOL_PROP_CAPACITY, POOL_PROP_AVAILABLE, POOL_N_PROPS };
static GParamSpec *pool_props[POOL_N_PROPS];

static void
vireo_pool_finalize (GObject *object)
{
  VireoPool *self = VIREO_POOL (object);

  g_free (self->uuid);
  g_free (self->name);
  G_OBJECT_CLASS (vireo_pool_parent_class)->finalize (object);
}

static void
vireo_pool_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VireoPool *self = VIREO_POOL (object);

  switch (prop_id)
    {
    case POOL_PROP_NAME:      g_value_set_string (value, self->name); break;
    case POOL_PROP_ACTIVE:    g_value_set_boolean (value, self->active); break;
    case POOL_PROP_CAPACITY:  g_value_set_uint64 (value, self->capacity); break;
    case POOL_PROP_AVAILABLE: g_value_set_uint64 (value, self->available); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_pool_class_init (VireoPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vireo_pool_finalize;
  object_class->get_property = vireo_pool_get_property;
  pool_props[POOL_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  pool_props[POOL_PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, flags);
  pool_props[POOL_PROP_CAPACITY] = g_param_spec_uint64 ("capacity", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  pool_props[POOL_PROP_AVAILABLE] = g_param_spec_uint64 ("available", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  g_object_class_install_properties (object_class, POOL_N_PROPS, pool_props);
}

static void
vireo_pool_init (VireoPool *self)
{
}

VireoPool *
vireo_pool_new (const VireoObjectInfo *info)
{
  VireoPool *self = g_object_new (VIREO_TYPE_POOL, NULL);

  self->uuid = g_strdup (info->uuid);
  vireo_pool_update (self, info);
  return self;
}

void
vireo_pool_update (VireoPool             *self,
                   const VireoObjectInfo *info)
{
  if (g_strcmp0 (self->name, info->name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (info->name);
      g_object_notify_by_pspec (G_OBJECT (self), pool_props[POOL_PROP_NAME]);
    }
  if (self->active != info->active)
    {
      self->active = info->active;
      g_object_notify_by_pspec (G_OBJECT (self), pool_props[POOL_PROP_ACTIVE]);
    }
  if (self->capacity != info->capacity)
    {
      self->capacity = info->capacity;
      g_object_notify_by_pspec (G_OBJECT (self), pool_props[POOL_PROP_CAPACITY]);
    }
  if (self->available != info->available)
    {
      self->available = info->available;
      g_object_notify_by_pspec (G_OBJECT (self), pool_props[POOL_PROP_AVAILABLE]);
    }
}

const char *vireo_pool_get_name (VireoPool *self) { g_return_val_if_fail (VIREO_IS_POOL (self), NULL); return self->name; }
const char *vireo_pool_get_uuid (VireoPool *self) { g_return_val_if_fail (VIREO_IS_POOL (self), NULL); return self->uuid; }
gboolean vireo_pool_get_active (VireoPool *self) { g_return_val_if_fail (VIREO_IS_POOL (self), FALSE); return self->active; }
guint64 vireo_pool_get_capacity (VireoPool *self) { g_return_val_if_fail (VIREO_IS_POOL (self), 0); return self->capacity; }
guint64 vireo_pool_get_available (VireoPool *self) { g_return_val_if_fail (VIREO_IS_POOL (self), 0); return self->available; }
