/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vireo-network.h"

G_BEGIN_DECLS

typedef struct {
  char    *uuid;
  char    *name;
  gboolean active;
  gboolean autostart;
  guint64  capacity;    /* pools only */
  guint64  available;   /* pools only */
} VireoObjectInfo;

void          vireo_object_info_free (VireoObjectInfo *info);

VireoNetwork *vireo_network_new      (const VireoObjectInfo *info);
void          vireo_network_update   (VireoNetwork          *self,
                                      const VireoObjectInfo *info);
VireoPool    *vireo_pool_new         (const VireoObjectInfo *info);
void          vireo_pool_update      (VireoPool             *self,
                                      const VireoObjectInfo *info);

G_END_DECLS
