/* confab-usage.h: tokens and what they cost, per model.
 *
 * Prices are the user's (Preferences, schema 5), per million tokens, in
 * whatever currency they were typed in; nothing is guessed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  char   *model;             /* "PROVIDER:MODEL" */
  double  input_per_mtok;    /* per million input (prompt) tokens */
  double  output_per_mtok;   /* per million output (reply) tokens */
} ConfabModelPrice;

#define CONFAB_TYPE_MODEL_PRICE (confab_model_price_get_type ())
GType             confab_model_price_get_type (void) G_GNUC_CONST;
ConfabModelPrice *confab_model_price_new      (const char             *model,
                                               double                  input_per_mtok,
                                               double                  output_per_mtok);
ConfabModelPrice *confab_model_price_copy     (const ConfabModelPrice *self);
void              confab_model_price_free     (ConfabModelPrice       *self);
/* What the tokens cost at this price; unknown counts (-1) count as 0. */
double            confab_model_price_cost     (const ConfabModelPrice *self,
                                               gint64                  input_tokens,
                                               gint64                  output_tokens);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabModelPrice, confab_model_price_free)

/* One model's share of a chat (confab_store_get_chat_usage()). */
typedef struct
{
  char   *model;          /* "PROVIDER:MODEL", or the author when the
                           * provider is not known (imports) */
  guint   n_replies;
  guint   n_unknown;      /* replies whose provider reported no usage */
  gint64  input_tokens;   /* sums of what was reported */
  gint64  output_tokens;
  double  cost;           /* at the model's price; -1 when it has none */
} ConfabModelUsage;

#define CONFAB_TYPE_MODEL_USAGE (confab_model_usage_get_type ())
GType             confab_model_usage_get_type (void) G_GNUC_CONST;
ConfabModelUsage *confab_model_usage_copy     (const ConfabModelUsage *self);
void              confab_model_usage_free     (ConfabModelUsage       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabModelUsage, confab_model_usage_free)

/* "1.2k", "34k", "1.5M": a token count for a summary line. */
char             *confab_usage_format_tokens  (gint64                  tokens);

G_END_DECLS
