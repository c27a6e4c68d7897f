/* confab-test-conductor.h: what the tests of several models in one chat
 * share: a store, a chat, the fake provider behind every provider id,
 * and a conductor on that chat.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-core.h"
#include "confab-fake-provider.h"
#include "confab-test-utils.h"

G_BEGIN_DECLS

#define GPT "openai:gpt-4o-mini"
#define CLAUDE "anthropic:claude-sonnet-4-5"
#define GEMINI "gemini:gemini-2.5-flash"

typedef struct
{
  ConfabTestStore       base;
  ConfabFakeProvider   *fake;
  ConfabModelCatalogue *catalogue;
  ConfabProject        *project;
  ConfabChat           *chat;
  ConfabConductor      *conductor;
} ConfabTestConductor;

/* Keys for every provider in the environment, base URLs unset. */
void              confab_test_conductor_init     (void);
void              confab_test_conductor_setup    (ConfabTestConductor *fixture,
                                                  gconstpointer        data);
/* Proves the conductor, its turns and the fake provider are finalized. */
void              confab_test_conductor_teardown (ConfabTestConductor *fixture,
                                                  gconstpointer        data);

/* An async callback storing its result in the GAsyncResult * at user_data,
 * and the loop that waits for it (failing the test after a minute). */
void              confab_test_async_cb           (GObject             *object,
                                                  GAsyncResult        *result,
                                                  gpointer             user_data);
GAsyncResult     *confab_test_await              (GAsyncResult       **result);

/* A script streaming these pieces (delay in ms between them). */
ConfabFakeScript *confab_test_script_new         (const char * const  *tokens,
                                                  guint                delay_ms);
/* Recorded request @index as "system:…" then "role:text" turns joined by
 * "|" (line breaks as "\n"), in any of the three wires. */
char             *confab_test_describe_request   (ConfabFakeProvider  *fake,
                                                  guint                index);
/* The model the recorded request @index asked for. */
const char       *confab_test_request_model      (ConfabFakeProvider  *fake,
                                                  guint                index);
/* "text|text|…" of the chat's current line, with "(status)" after any
 * reply that is not complete. */
char             *confab_test_describe_line      (ConfabStore         *store,
                                                  ConfabChat          *chat);
/* The turns' names, "|"-joined. */
char             *confab_test_describe_turns     (GListModel          *turns);

G_END_DECLS
