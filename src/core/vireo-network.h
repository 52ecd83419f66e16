/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Virtual networks and storage pools as the connection lists them. They are
 * small read-only records for now; editing comes with their own pages. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VIREO_TYPE_NETWORK (vireo_network_get_type ())
G_DECLARE_FINAL_TYPE (VireoNetwork, vireo_network, VIREO, NETWORK, GObject)

const char *vireo_network_get_name      (VireoNetwork *self);
const char *vireo_network_get_uuid      (VireoNetwork *self);
gboolean    vireo_network_get_active    (VireoNetwork *self);
gboolean    vireo_network_get_autostart (VireoNetwork *self);

#define VIREO_TYPE_POOL (vireo_pool_get_type ())
G_DECLARE_FINAL_TYPE (VireoPool, vireo_pool, VIREO, POOL, GObject)

const char *vireo_pool_get_name       (VireoPool *self);
const char *vireo_pool_get_uuid       (VireoPool *self);
gboolean    vireo_pool_get_active     (VireoPool *self);
guint64     vireo_pool_get_capacity   (VireoPool *self);   /* bytes */
guint64     vireo_pool_get_available  (VireoPool *self);   /* bytes */

G_END_DECLS
