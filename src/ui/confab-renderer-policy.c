/* confab-renderer-policy.c: software OpenGL draws with cairo.
 *
 * GTK 4.8 draws every window with OpenGL when it can, even when OpenGL is
 * Mesa's llvmpipe: the CPU then rasterises each frame with shaders, and
 * llvmpipe has no buffer age, so every frame is the whole window. A reply
 * streaming into a chat cost 4 times the CPU under llvmpipe that it costs
 * with the cairo renderer, which redraws only what changed (figures in
 * docs/performance.md). GTK 4.14 stopped using its GL renderers on llvmpipe
 * ("gsk: Don't use gpu renderers with llvmpipe"); this is the same choice
 * for the GTK that Debian 12 ships. Virtual machines, remote desktops and
 * machines without a GPU driver are where it matters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include <epoxy/gl.h>
#include <string.h>

#include "confab-renderer-policy.h"

static gboolean
gl_is_software (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *renderer;
  gboolean software;

  if (!gdk_display_prepare_gl (display, &error))
    {
      /* No OpenGL at all: GTK already falls back to cairo. */
      g_debug ("No OpenGL: %s", error->message);
      return FALSE;
    }

  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      g_debug ("No OpenGL context to ask: %s", error ? error->message : "unknown");
      return FALSE;
    }

  gdk_gl_context_make_current (context);
  renderer = (const char *) glGetString (GL_RENDERER);
  software = renderer != NULL
             && (strstr (renderer, "llvmpipe") != NULL || strstr (renderer, "softpipe") != NULL);
  g_debug ("OpenGL renderer: %s", renderer ? renderer : "unknown");
  gdk_gl_context_clear_current ();

  return software;
}

const char *
confab_renderer_policy_apply (GdkDisplay *display)
{
  g_return_val_if_fail (GDK_IS_DISPLAY (display), NULL);

  /* The user's (or a test's) choice stands; newer GTK decides itself. */
  if (g_getenv ("GSK_RENDERER") != NULL)
    return NULL;
  if (gtk_get_major_version () > 4 || gtk_get_minor_version () >= 14)
    return NULL;

  if (!gl_is_software (display))
    return NULL;

  /* GTK reads GSK_RENDERER when it makes the first window's renderer. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_debug ("OpenGL is drawn in software: using the cairo renderer");
  return "cairo";
}
