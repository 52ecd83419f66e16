/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GTK's renderer for this session, picked before GTK starts. GTK 4.8 uses
 * OpenGL by default; where OpenGL can only be software (no GPU render node
 * under dri_dir) or goes over the network (an X display on another host,
 * e.g. ssh -X), every frame of the console is drawn by the CPU through
 * Mesa, at several times cairo's cost (BENCHMARKS.md). Returns "cairo"
 * there, NULL where GTK's default is right. */
const char *vireo_renderer_choose (const char *dri_dir,
                                   const char *x_display,
                                   const char *wayland_display);

/* Sets GSK_RENDERER from vireo_renderer_choose() for this machine, unless
 * the user has set it. */
void        vireo_renderer_apply  (void);

G_END_DECLS
