/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-renderer.h"

#include <string.h>
#include <unistd.h>

/* A GPU's render node (renderD128…) that this user may open. */
static gboolean
has_render_node (const char *dri_dir)
{
  g_autoptr(GDir) dir = g_dir_open (dri_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (name, "renderD"))
        continue;
      path = g_build_filename (dri_dir, name, NULL);
      if (access (path, R_OK | W_OK) == 0)
        return TRUE;
    }
  return FALSE;
}

/* "host:0" or "host:10.0" names another machine; ":0", "unix:0" and
 * "/tmp/launch-…/org.xquartz:0" this one. */
static gboolean
is_remote_x (const char *display)
{
  const char *colon;
  g_autofree char *host = NULL;

  if (display == NULL || *display == '/' || (colon = strrchr (display, ':')) == NULL)
    return FALSE;
  host = g_strndup (display, colon - display);
  return *host != '\0' && !g_str_equal (host, "unix");
}

const char *
vireo_renderer_choose (const char *dri_dir,
                       const char *x_display,
                       const char *wayland_display)
{
  gboolean wayland = wayland_display != NULL && *wayland_display != '\0';

  if (!wayland && is_remote_x (x_display))
    return "cairo";
  if (!has_render_node (dri_dir))
    return "cairo";
  return NULL;
}

void
vireo_renderer_apply (void)
{
  const char *renderer;

  if (g_getenv ("GSK_RENDERER") != NULL)
    return;
  renderer = vireo_renderer_choose ("/dev/dri", g_getenv ("DISPLAY"), g_getenv ("WAYLAND_DISPLAY"));
  if (renderer != NULL)
    g_setenv ("GSK_RENDERER", renderer, TRUE);
}
