/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GTK's renderer is cairo where OpenGL would be software or remote: no GPU
 * render node this user may open, or an X display on another host. */
#include "vireo-config.h"

#include <glib/gstdio.h>

#include "vireo-renderer.h"

typedef struct {
  char *dri;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dri = g_dir_make_tmp ("vireo-dri-XXXXXX", NULL);
  g_assert_nonnull (f->dri);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dri, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dri, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dri);
  g_free (f->dri);
}

static void
touch (Fixture *f, const char *name)
{
  g_autofree char *path = g_build_filename (f->dri, name, NULL);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
}

static void
test_no_gpu (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dri, "nothing-here", NULL);

  /* No /dev/dri at all (a VM, a container, Xvfb on a server). */
  g_assert_cmpstr (vireo_renderer_choose (missing, ":0", NULL), ==, "cairo");
  /* A display controller only (card0) is no GPU to render with. */
  touch (f, "card0");
  g_assert_cmpstr (vireo_renderer_choose (f->dri, ":0", NULL), ==, "cairo");
  g_assert_cmpstr (vireo_renderer_choose (f->dri, NULL, "wayland-0"), ==, "cairo");
}

static void
test_gpu (Fixture *f, gconstpointer data)
{
  touch (f, "card0");
  touch (f, "renderD128");
  g_assert_null (vireo_renderer_choose (f->dri, ":0", NULL));
  g_assert_null (vireo_renderer_choose (f->dri, ":1.0", NULL));
  g_assert_null (vireo_renderer_choose (f->dri, "unix:0", NULL));
  g_assert_null (vireo_renderer_choose (f->dri, "/tmp/launch-abc/org.xquartz:0", NULL));
  g_assert_null (vireo_renderer_choose (f->dri, NULL, "wayland-0"));
  /* Wayland first: DISPLAY is XWayland's then. */
  g_assert_null (vireo_renderer_choose (f->dri, "otherhost:0", "wayland-0"));
}

static void
test_remote_x (Fixture *f, gconstpointer data)
{
  touch (f, "renderD128");
  /* ssh -X: OpenGL would travel over the network, or be refused. */
  g_assert_cmpstr (vireo_renderer_choose (f->dri, "localhost:10.0", NULL), ==, "cairo");
  g_assert_cmpstr (vireo_renderer_choose (f->dri, "workstation.example.org:0", NULL), ==, "cairo");
  g_assert_cmpstr (vireo_renderer_choose (f->dri, "[::1]:0", NULL), ==, "cairo");
}

static void
test_user_choice (void)
{
  /* What the user set is kept. */
  g_setenv ("GSK_RENDERER", "ngl", TRUE);
  vireo_renderer_apply ();
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "ngl");
  /* Unset: this machine's choice, the same as vireo_renderer_choose's. */
  g_unsetenv ("GSK_RENDERER");
  vireo_renderer_apply ();
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==,
                   vireo_renderer_choose ("/dev/dri", g_getenv ("DISPLAY"), g_getenv ("WAYLAND_DISPLAY")));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/renderer/no-gpu", Fixture, NULL, fixture_set_up, test_no_gpu, fixture_tear_down);
  g_test_add ("/renderer/gpu", Fixture, NULL, fixture_set_up, test_gpu, fixture_tear_down);
  g_test_add ("/renderer/remote-x", Fixture, NULL, fixture_set_up, test_remote_x, fixture_tear_down);
  g_test_add_func ("/renderer/user-choice", test_user_choice);
  return g_test_run ();
}
