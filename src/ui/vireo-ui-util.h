/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small pieces shared by the manager and console windows. */
#pragma once

#include "vireo-types.h"

G_BEGIN_DECLS

/* "Could not shut down “web-1”: <message>" */
char *vireo_ui_format_action_error (VireoDomainAction  action,
                                    const char        *name,
                                    const char        *message);

G_END_DECLS
