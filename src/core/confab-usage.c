/* confab-usage.c: prices and usage records.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-usage.h"

G_DEFINE_BOXED_TYPE (ConfabModelPrice, confab_model_price,
                     confab_model_price_copy, confab_model_price_free)
G_DEFINE_BOXED_TYPE (ConfabModelUsage, confab_model_usage,
                     confab_model_usage_copy, confab_model_usage_free)

ConfabModelPrice *
confab_model_price_new (const char *model,
                        double      input_per_mtok,
                        double      output_per_mtok)
{
  ConfabModelPrice *self;

  g_return_val_if_fail (model != NULL, NULL);

  self = g_new0 (ConfabModelPrice, 1);
  self->model = g_strdup (model);
  self->input_per_mtok = input_per_mtok;
  self->output_per_mtok = output_per_mtok;

  return self;
}

ConfabModelPrice *
confab_model_price_copy (const ConfabModelPrice *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return confab_model_price_new (self->model, self->input_per_mtok, self->output_per_mtok);
}

void
confab_model_price_free (ConfabModelPrice *self)
{
  if (self == NULL)
    return;

  g_free (self->model);
  g_free (self);
}

double
confab_model_price_cost (const ConfabModelPrice *self,
                         gint64                  input_tokens,
                         gint64                  output_tokens)
{
  g_return_val_if_fail (self != NULL, 0);

  return (MAX (input_tokens, 0) * self->input_per_mtok +
          MAX (output_tokens, 0) * self->output_per_mtok) / 1e6;
}

ConfabModelUsage *
confab_model_usage_copy (const ConfabModelUsage *self)
{
  ConfabModelUsage *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->model = g_strdup (self->model);

  return copy;
}

void
confab_model_usage_free (ConfabModelUsage *self)
{
  if (self == NULL)
    return;

  g_free (self->model);
  g_free (self);
}

char *
confab_usage_format_tokens (gint64 tokens)
{
  if (tokens < 0)
    return g_strdup ("?");
  if (tokens < 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT, tokens);
  if (tokens < 10000)
    return g_strdup_printf ("%.1fk", tokens / 1000.0);
  if (tokens < 1000000)
    return g_strdup_printf ("%" G_GINT64_FORMAT "k", (tokens + 500) / 1000);

  return g_strdup_printf ("%.1fM", tokens / 1e6);
}
