/* SPDX-License-Identifier: GPL-3.0-or-later */
/* X-side probes of tests/bench/console-bench.py, kept small and in C so the
 * probe itself costs little CPU beside the clients it measures.
 *
 *   console-bench-x frames WINDOW SECONDS
 *     Counts what reaches the screen from WINDOW (a client's toplevel) and
 *     its sub-windows over SECONDS, through XDamage (level NonEmpty: one
 *     event, then re-armed with XDamageSubtract). A client draws a frame in
 *     one or a few X requests, so events closer than GAP_MS (4 ms; QEMU's
 *     VNC server sends at most ~33 updates a second) are one paint. After
 *     each paint, 8 rows spread over the guest display are read back (XGetImage):
 *     "distinct" counts paints that changed any of them (a redraw of the
 *     same picture changes none), "full" those that changed all 8 (the
 *     guest changes every pixel in every frame, so a paint of a whole new
 *     guest frame changes all rows; a paint of part of one does not), and
 *     "row_changes" how often each sampled row changed: a client that
 *     paints an update in several parts still changes each row once per
 *     guest frame it shows.
 *     The pointer is moved off the window first (Xvfb draws the cursor in
 *     software: its redraws would be damage too). Prints one JSON object.
 *
 *   console-bench-x latency WINDOW SERIAL_SOCKET COUNT
 *     Focuses WINDOW and clicks in its middle, then COUNT times: sends a key press and release with
 *     XTEST (what xdotool does) and waits for the guest's reply byte on
 *     its serial port (a connected unix socket). The guest writes that
 *     byte right after it has put the new colour into its framebuffer
 *     (tests/bench/console-guest.asm). Keys are 250-400 ms apart. Prints
 *     one JSON object with every latency in ms (null: no answer in 2 s).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/XTest.h>

#define GAP_MS 4.0
#define MAX_WINDOWS 256

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A window may change or go while it is read (a client resizing or
 * quitting): such requests fail and are counted, not fatal. */
static long x_errors;

static int
ignore_x_error (Display *dpy, XErrorEvent *ev)
{
  (void) dpy;
  (void) ev;
  x_errors++;
  return 0;
}

static int
collect_windows (Display *dpy, Window w, Window *out, int n)
{
  Window root, parent, *children = NULL;
  unsigned int nchildren = 0;

  XWindowAttributes attr;

  if (n >= MAX_WINDOWS)
    return n;
  /* Input-only windows cannot be drawn on (and XDamage refuses them). */
  if (XGetWindowAttributes (dpy, w, &attr) && attr.class == InputOutput)
    out[n++] = w;
  if (XQueryTree (dpy, w, &root, &parent, &children, &nchildren))
    {
      for (unsigned int i = 0; i < nchildren; i++)
        n = collect_windows (dpy, children[i], out, n);
      if (children)
        XFree (children);
    }
  return n;
}

/* Checksums of N_ROWS rows spread over 20-85 % of the window's height,
 * below the clients' header and tool bars, on the guest display (0 if
 * unreadable). */
#define N_ROWS 8

static void
sample_rows (Display *dpy, Window w, int width, int height, unsigned long *sums)
{
  for (int r = 0; r < N_ROWS; r++)
    {
      XImage *img = XGetImage (dpy, w, 0, height * (20 + 65 * r / (N_ROWS - 1)) / 100, width, 1,
                               AllPlanes, ZPixmap);
      unsigned long sum = 1469598103934665603ul;

      if (img != NULL)
        {
          for (int x = 0; x < width; x++)
            sum = (sum ^ XGetPixel (img, x, 0)) * 1099511628211ul;
          XDestroyImage (img);
        }
      sums[r] = img ? sum : 0;
    }
}

static int
frames (Display *dpy, Window win, double seconds)
{
  int event_base, error_base;
  Window wins[MAX_WINDOWS];
  int nwins;
  XWindowAttributes attr;
  long events = 0, nframes = 0, distinct = 0, full = 0, row_changes[N_ROWS] = { 0 };
  unsigned long last_sums[N_ROWS] = { 0 }, sums[N_ROWS];
  int open_burst = 0;
  double t_start, t_end, t_last_event = 0, first_frame = -1, last_frame = -1;
  int fd = ConnectionNumber (dpy);

  if (!XDamageQueryExtension (dpy, &event_base, &error_base))
    {
      fprintf (stderr, "console-bench-x: no XDamage\n");
      return 1;
    }
  if (!XGetWindowAttributes (dpy, win, &attr))
    return 1;
  XTestFakeMotionEvent (dpy, -1, DisplayWidth (dpy, DefaultScreen (dpy)) - 1,
                       DisplayHeight (dpy, DefaultScreen (dpy)) - 1, CurrentTime);
  nwins = collect_windows (dpy, win, wins, 0);
  for (int i = 0; i < nwins; i++)
    XDamageCreate (dpy, wins[i], XDamageReportNonEmpty);
  XSync (dpy, False);
  /* Damage accumulated before we looked is not counted. */
  while (XPending (dpy))
    {
      XEvent ev;
      XNextEvent (dpy, &ev);
      if (ev.type == event_base + XDamageNotify)
        XDamageSubtract (dpy, ((XDamageNotifyEvent *) &ev)->damage, None, None);
    }
  XSync (dpy, False);

  t_start = now_ms ();
  t_end = t_start + seconds * 1e3;
  for (;;)
    {
      double t = now_ms ();
      double wait = t_end - t;
      struct pollfd p = { fd, POLLIN, 0 };

      if (open_burst && t_last_event + GAP_MS - t < wait)
        wait = t_last_event + GAP_MS - t;
      if (wait < 0)
        wait = 0;
      if (!XPending (dpy))
        poll (&p, 1, (int) (wait + 0.999));

      while (XPending (dpy))
        {
          XEvent ev;

          XNextEvent (dpy, &ev);
          if (ev.type == event_base + XDamageNotify)
            {
              XDamageSubtract (dpy, ((XDamageNotifyEvent *) &ev)->damage, None, None);
              events++;
              t_last_event = now_ms ();
              open_burst = 1;
            }
        }
      XFlush (dpy);

      t = now_ms ();
      if (open_burst && t - t_last_event >= GAP_MS)
        {
          int changed = 0;

          sample_rows (dpy, win, attr.width, attr.height, sums);
          for (int r = 0; r < N_ROWS; r++)
            if (sums[r] != last_sums[r])
              {
                changed++;
                /* the first paint only says what was there */
                row_changes[r] += nframes > 0;
              }
          memcpy (last_sums, sums, sizeof sums);
          open_burst = 0;
          nframes++;
          if (changed > 0)
            distinct++;
          if (changed == N_ROWS)
            full++;
          if (first_frame < 0)
            first_frame = t_last_event;
          last_frame = t_last_event;
        }
      if (t >= t_end)
        break;
    }

  printf ("{\"row_changes\": [");
  for (int r = 0; r < N_ROWS; r++)
    printf ("%s%ld", r ? ", " : "", row_changes[r]);
  printf ("], \"seconds\": %.3f, \"damage_events\": %ld, \"frames\": %ld, \"distinct\": %ld, \"full\": %ld, "
          "\"x_errors\": %ld, \"windows\": %d, \"width\": %d, \"height\": %d, \"first_frame_ms\": %.1f, "
          "\"last_frame_ms\": %.1f}\n",
          (now_ms () - t_start) / 1e3, events, nframes, distinct, full, x_errors, nwins,
          attr.width, attr.height,
          first_frame < 0 ? -1 : first_frame - t_start,
          last_frame < 0 ? -1 : last_frame - t_start);
  return 0;
}

static int
connect_unix (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0 || strlen (path) >= sizeof addr.sun_path)
    return -1;
  strcpy (addr.sun_path, path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
drain (int fd, int ms)
{
  char buf[256];
  struct pollfd p = { fd, POLLIN, 0 };

  while (poll (&p, 1, ms) > 0 && read (fd, buf, sizeof buf) > 0)
    ;
}

static void
sleep_ms (double ms)
{
  struct timespec ts = { (time_t) (ms / 1e3), (long) (((long long) (ms * 1e6)) % 1000000000ll) };

  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static int
latency (Display *dpy, Window win, const char *serial, int count)
{
  int fd = connect_unix (serial);
  KeyCode key = XKeysymToKeycode (dpy, XK_k);
  int ev, err, maj, min, cx, cy;
  XWindowAttributes attr;
  Window child;

  if (fd < 0)
    {
      fprintf (stderr, "console-bench-x: cannot connect to %s: %s\n", serial, strerror (errno));
      return 1;
    }
  if (!XTestQueryExtension (dpy, &ev, &err, &maj, &min))
    {
      fprintf (stderr, "console-bench-x: no XTEST\n");
      return 1;
    }
  /* Focus as a user would: the window, then a click in the middle of it
   * (on the guest display, which Vireo focuses only when clicked). */
  XSetInputFocus (dpy, win, RevertToParent, CurrentTime);
  if (XGetWindowAttributes (dpy, win, &attr) &&
      XTranslateCoordinates (dpy, win, DefaultRootWindow (dpy), attr.width / 2,
                             attr.height / 2, &cx, &cy, &child))
    {
      XTestFakeMotionEvent (dpy, -1, cx, cy, CurrentTime);
      XTestFakeButtonEvent (dpy, 1, True, CurrentTime);
      XTestFakeButtonEvent (dpy, 1, False, CurrentTime);
      XTestFakeMotionEvent (dpy, -1, DisplayWidth (dpy, DefaultScreen (dpy)) - 1,
                           DisplayHeight (dpy, DefaultScreen (dpy)) - 1, CurrentTime);
    }
  XSync (dpy, False);
  sleep_ms (300);
  drain (fd, 50);
  srand (42);

  printf ("{\"key\": \"k\", \"latency_ms\": [");
  for (int i = 0; i < count; i++)
    {
      double t0, t1 = -1;
      char c;
      struct pollfd p = { fd, POLLIN, 0 };

      sleep_ms (250 + rand () % 150);
      drain (fd, 0);
      t0 = now_ms ();
      XTestFakeKeyEvent (dpy, key, True, CurrentTime);
      XTestFakeKeyEvent (dpy, key, False, CurrentTime);
      XFlush (dpy);
      while (t1 < 0)
        {
          int left = (int) (t0 + 2000 - now_ms ());

          if (left <= 0 || poll (&p, 1, left) <= 0)
            break;
          if (read (fd, &c, 1) == 1 && c == 'k')
            t1 = now_ms ();
        }
      if (t1 < 0)
        printf ("%snull", i ? ", " : "");
      else
        printf ("%s%.2f", i ? ", " : "", t1 - t0);
      fflush (stdout);
    }
  printf ("]}\n");
  close (fd);
  return 0;
}

int
main (int argc, char **argv)
{
  Display *dpy;
  Window win;

  if (argc < 4)
    {
      fprintf (stderr, "usage: %s frames WINDOW SECONDS | latency WINDOW SERIAL_SOCKET COUNT\n", argv[0]);
      return 2;
    }
  dpy = XOpenDisplay (NULL);
  if (dpy == NULL)
    {
      fprintf (stderr, "console-bench-x: cannot open the display\n");
      return 1;
    }
  XSetErrorHandler (ignore_x_error);
  win = (Window) strtoul (argv[2], NULL, 0);
  if (strcmp (argv[1], "frames") == 0)
    return frames (dpy, win, atof (argv[3]));
  if (strcmp (argv[1], "latency") == 0 && argc >= 5)
    return latency (dpy, win, argv[3], atoi (argv[4]));
  fprintf (stderr, "console-bench-x: unknown mode %s\n", argv[1]);
  return 2;
}
