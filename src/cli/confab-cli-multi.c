/* confab-cli-multi.c: `confab-cli compare` and `confab-cli roundtable`:
 * several models in one chat through the same ConfabConductor the app
 * uses, printed in a stable order while the streams run side by side.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <string.h>

#include "confab-cli.h"

#define MAX_ROUNDS 100

typedef struct
{
  ConfabCli           *cli;
  ConfabConductor     *conductor;
  /* Plain output: the turn printed live; the others wait their turn. */
  guint                shown;
  ConfabConductorTurn *live;
  gboolean             at_line_start;
  gboolean             chat_printed;
} Output;

static gboolean
on_sigint_cb (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  /* The conductor stops every stream; what arrived is kept, marked
   * cancelled. */
  g_cancellable_cancel (cancellable);

  return G_SOURCE_CONTINUE;
}

static void
write_text (Output     *output,
            const char *text)
{
  if (*text == '\0')
    return;

  confab_cli_write (text);
  output->at_line_start = g_str_has_suffix (text, "\n");
}

static void
end_line (Output *output)
{
  if (!output->at_line_start)
    confab_cli_write ("\n");
  output->at_line_start = TRUE;
}

static const char *
model_of (ConfabConductorTurn *turn)
{
  return confab_conductor_turn_get_model_id (turn);
}

/* "model" or, at a round-table, "name", "model" and "round". */
static void
add_turn_members (JsonBuilder         *builder,
                  ConfabConductorTurn *turn)
{
  if (confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_SPEAKER)
    {
      confab_cli_json_add_string (builder, "name", confab_conductor_turn_get_name (turn));
      confab_cli_json_add_string (builder, "model", model_of (turn));
      json_builder_set_member_name (builder, "round");
      json_builder_add_int_value (builder, confab_conductor_turn_get_round (turn));
      return;
    }

  confab_cli_json_add_string (builder, "model", model_of (turn));
  if (confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_SYNTHESIS)
    {
      json_builder_set_member_name (builder, "synthesis");
      json_builder_add_boolean_value (builder, TRUE);
    }
}

static void
print_json_end_of_turn (ConfabConductorTurn *turn)
{
  ConfabMessage *message = confab_conductor_turn_get_message (turn);
  const GError *error = confab_conductor_turn_get_error (turn);
  JsonBuilder *builder = confab_cli_json_begin (error == NULL ? "done" : "error");

  add_turn_members (builder, turn);
  if (message != NULL)
    {
      confab_cli_json_add_id (builder, "message_id", confab_message_get_id (message));
      confab_cli_json_add_string (builder, "status",
                                  confab_message_status_to_string (
                                    confab_message_get_status (message)));
    }
  if (error != NULL)
    {
      confab_cli_json_add_string (builder, "kind", confab_cli_error_kind (error));
      confab_cli_json_add_string (builder, "message", error->message);
    }
  else
    confab_cli_json_add_string (builder, "stop_reason",
                                confab_conductor_turn_get_stop_reason (turn));
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  confab_cli_json_add_count (builder, "input_tokens",
                             confab_conductor_turn_get_input_tokens (turn));
  confab_cli_json_add_count (builder, "output_tokens",
                             confab_conductor_turn_get_output_tokens (turn));
  json_builder_end_object (builder);
  confab_cli_json_end (builder);
}

/* The end of a turn on plain output: its line ends, its failure (not a
 * cancellation: Ctrl+C is reported once, at the end) goes to stderr. */
static void
print_plain_end_of_turn (Output              *output,
                         ConfabConductorTurn *turn)
{
  const GError *error = confab_conductor_turn_get_error (turn);

  end_line (output);
  if (confab_conductor_turn_get_state (turn) == CONFAB_CONDUCTOR_TURN_FAILED)
    {
      if (confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_SPEAKER)
        confab_cli_error (CLI_EXIT_NETWORK, "%s (%s): %s", confab_conductor_turn_get_name (turn),
                          model_of (turn), error->message);
      else
        confab_cli_error (CLI_EXIT_NETWORK, "%s: %s", model_of (turn), error->message);
    }
}

static void
print_header (Output              *output,
              ConfabConductorTurn *turn)
{
  g_autofree char *header = NULL;

  switch (confab_conductor_turn_get_kind (turn))
    {
    case CONFAB_CONDUCTOR_TURN_SPEAKER:
      header = g_strdup_printf ("== %s (%s), round %u ==\n", confab_conductor_turn_get_name (turn),
                                model_of (turn), confab_conductor_turn_get_round (turn));
      break;

    case CONFAB_CONDUCTOR_TURN_SYNTHESIS:
      header = g_strdup_printf ("== synthesis (%s) ==\n", model_of (turn));
      break;

    case CONFAB_CONDUCTOR_TURN_ANSWER:
    default:
      header = g_strdup_printf ("== %s ==\n", model_of (turn));
    }

  end_line (output);
  write_text (output, header);
}

/* Plain output shows the turns in order: the next one, once the one
 * before it ended, with what it said meanwhile, then live. */
static void
catch_up (Output *output)
{
  GListModel *turns = G_LIST_MODEL (output->conductor);

  while (output->live == NULL && output->shown < g_list_model_get_n_items (turns))
    {
      g_autoptr(ConfabConductorTurn) turn = g_list_model_get_item (turns, output->shown);

      /* A round-table's next speaker shows up when it starts. */
      if (confab_conductor_turn_get_state (turn) == CONFAB_CONDUCTOR_TURN_PENDING)
        return;

      print_header (output, turn);
      write_text (output, confab_conductor_turn_get_text (turn));
      if (!confab_conductor_turn_get_finished (turn))
        {
          output->live = turn;
          return;
        }

      print_plain_end_of_turn (output, turn);
      output->shown++;
    }
}

static void
on_user_message_cb (ConfabConductor *conductor,
                    GParamSpec      *pspec,
                    Output          *output)
{
  ConfabMessage *prompt = confab_conductor_get_user_message (conductor);
  ConfabChat *chat = confab_conductor_get_chat (conductor);
  GListModel *participants = confab_conductor_get_participants (conductor);
  ConfabCli *cli = output->cli;
  JsonBuilder *builder;

  if (!cli->json || prompt == NULL || output->chat_printed)
    return;

  output->chat_printed = TRUE;
  builder = confab_cli_json_begin ("chat");
  confab_cli_json_add_id (builder, "chat_id", confab_chat_get_id (chat));
  confab_cli_json_add_string (builder, "title", confab_chat_get_title (chat));
  confab_cli_json_add_id (builder, "prompt_id", confab_message_get_id (prompt));

  if (confab_conductor_get_mode (conductor) == CONFAB_CONDUCTOR_MODE_ROUNDTABLE)
    {
      json_builder_set_member_name (builder, "participants");
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (participants); i++)
        {
          g_autoptr(ConfabParticipant) participant = g_list_model_get_item (participants, i);

          json_builder_begin_object (builder);
          confab_cli_json_add_string (builder, "name", confab_participant_get_name (participant));
          confab_cli_json_add_string (builder, "model",
                                      confab_participant_get_model_id (participant));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "rounds");
      json_builder_add_int_value (builder, confab_conductor_get_rounds (conductor));
    }
  else
    {
      json_builder_set_member_name (builder, "models");
      json_builder_begin_array (builder);
      for (guint i = 0; cli->models[i] != NULL; i++)
        json_builder_add_string_value (builder, cli->models[i]);
      json_builder_end_array (builder);
    }
  confab_cli_json_end (builder);
}

static void
on_turn_started_cb (ConfabConductor     *conductor,
                    ConfabConductorTurn *turn,
                    Output              *output)
{
  if (output->cli->json)
    {
      if (confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_SPEAKER)
        {
          JsonBuilder *builder = confab_cli_json_begin ("turn");

          add_turn_members (builder, turn);
          confab_cli_json_add_id (builder, "message_id",
                                  confab_message_get_id (confab_conductor_turn_get_message (turn)));
          confab_cli_json_end (builder);
        }
      return;
    }

  catch_up (output);
}

static void
on_turn_delta_cb (ConfabConductor     *conductor,
                  ConfabConductorTurn *turn,
                  const char          *text,
                  Output              *output)
{
  if (output->cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("delta");

      add_turn_members (builder, turn);
      confab_cli_json_add_string (builder, "text", text);
      confab_cli_json_end (builder);
      return;
    }

  if (turn == output->live)
    write_text (output, text);
}

static void
on_turn_finished_cb (ConfabConductor     *conductor,
                     ConfabConductorTurn *turn,
                     Output              *output)
{
  if (output->cli->json)
    {
      print_json_end_of_turn (turn);
      return;
    }

  if (turn == output->live)
    {
      print_plain_end_of_turn (output, turn);
      output->live = NULL;
      output->shown++;
    }
  catch_up (output);
}

static void
follow (Output          *output,
        ConfabCli       *cli,
        ConfabConductor *conductor)
{
  output->cli = cli;
  output->conductor = conductor;
  output->at_line_start = TRUE;
  g_signal_connect (conductor, "notify::user-message", G_CALLBACK (on_user_message_cb), output);
  g_signal_connect (conductor, "turn-started", G_CALLBACK (on_turn_started_cb), output);
  g_signal_connect (conductor, "turn-delta", G_CALLBACK (on_turn_delta_cb), output);
  g_signal_connect (conductor, "turn-finished", G_CALLBACK (on_turn_finished_cb), output);
}

/* ---- What both verbs share */

static int
check_model (const char *model,
             const char *what)
{
  g_autoptr(GError) error = NULL;

  if (!confab_conversation_split_model (model, NULL, NULL, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s: %s", what, error->message);

  return CLI_EXIT_OK;
}

/* The prompt and the chat; a new chat is dropped again when nothing was
 * stored in it (no key anywhere, say). */
static ConfabChat *
prepare (ConfabCli   *cli,
         const char  *verb,
         char       **prompt,
         int         *exit)
{
  g_autoptr(GError) error = NULL;
  gint64 parent_id = 0;

  if (cli->new_chat && cli->chat_id != NULL)
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "--new cannot be used with --chat");
      return NULL;
    }

  *prompt = confab_cli_read_prompt (cli, &error);
  if (error != NULL)
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);
      return NULL;
    }
  if (*prompt == NULL || *g_strstrip (*prompt) == '\0')
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "%s needs %s (or - to read it from stdin)", verb,
                                g_str_equal (verb, "compare") ? "a prompt" : "a topic");
      return NULL;
    }

  if (!confab_cli_open (cli, exit))
    return NULL;

  return confab_cli_resolve_chat (cli, *prompt, &parent_id, exit);
}

static int
fail_early (ConfabCli       *cli,
            ConfabConductor *conductor,
            const GError    *error)
{
  g_autoptr(GError) ignored = NULL;

  if (cli->chat_id == NULL && confab_conductor_get_user_message (conductor) == NULL)
    confab_store_delete_chat (cli->store, confab_conductor_get_chat (conductor), &ignored);
  if (cli->json)
    confab_cli_json_error (error);

  return confab_cli_fail (error);
}

/* ---- compare */

static void
print_compare_end (ConfabConductor *conductor)
{
  GListModel *turns = G_LIST_MODEL (conductor);
  JsonBuilder *builder = confab_cli_json_begin ("end");
  guint answered = 0;

  for (guint i = 0; i < g_list_model_get_n_items (turns); i++)
    {
      g_autoptr(ConfabConductorTurn) turn = g_list_model_get_item (turns, i);

      if (confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_ANSWER &&
          confab_conductor_turn_get_state (turn) == CONFAB_CONDUCTOR_TURN_COMPLETE)
        answered++;
    }

  confab_cli_json_add_id (builder, "chat_id",
                          confab_chat_get_id (confab_conductor_get_chat (conductor)));
  json_builder_set_member_name (builder, "answered");
  json_builder_add_int_value (builder, answered);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, confab_conductor_get_n_failed (conductor));
  confab_cli_json_end (builder);
}

int
confab_cli_compare (ConfabCli *cli)
{
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(ConfabConductor) conductor = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  Output output = { 0 };
  guint n_models = cli->models != NULL ? g_strv_length (cli->models) : 0;
  guint sigint_id;
  int exit = CLI_EXIT_OK;

  if (n_models < 2)
    return confab_cli_error (CLI_EXIT_LOCAL, "compare needs two models or more: "
                             "-m PROVIDER:MODEL -m PROVIDER:MODEL");
  for (guint i = 0; i < n_models; i++)
    {
      if ((exit = check_model (cli->models[i], "-m")) != CLI_EXIT_OK)
        return exit;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (cli->models[i], cli->models[j]))
          return confab_cli_error (CLI_EXIT_LOCAL, "-m %s is given twice", cli->models[i]);
    }
  if (cli->synthesize != NULL &&
      (exit = check_model (cli->synthesize, "--synthesize")) != CLI_EXIT_OK)
    return exit;

  chat = prepare (cli, "compare", &prompt, &exit);
  if (chat == NULL)
    return exit;

  conductor = confab_conductor_new (cli->store, chat, cli->catalogue);
  follow (&output, cli, conductor);
  cli->cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, on_sigint_cb, cli->cancellable);

  confab_conductor_compare_async (conductor, prompt, (const char * const *) cli->models,
                                  cli->cancellable, confab_cli_async_cb, &result);
  if (!confab_conductor_compare_finish (conductor, confab_cli_await (&result), &error))
    {
      g_source_remove (sigint_id);
      return fail_early (cli, conductor, error);
    }
  g_clear_object (&result);

  /* From what was answered; nothing to make it from when all failed. */
  if (cli->synthesize != NULL && !g_cancellable_is_cancelled (cli->cancellable) &&
      confab_conductor_get_n_failed (conductor) < n_models)
    {
      g_autoptr(ConfabConductorTurn) synthesis = NULL;

      confab_conductor_synthesize_async (conductor, cli->synthesize, cli->cancellable,
                                         confab_cli_async_cb, &result);
      synthesis = confab_conductor_synthesize_finish (conductor, confab_cli_await (&result),
                                                      &error);
      if (synthesis == NULL)
        {
          if (!cli->json)
            end_line (&output);
          if (cli->json)
            confab_cli_json_error (error);
          exit = confab_cli_fail (error);
        }
    }
  g_source_remove (sigint_id);

  if (!cli->json)
    end_line (&output);
  else
    print_compare_end (conductor);

  if (g_cancellable_is_cancelled (cli->cancellable))
    return confab_cli_error (CLI_EXIT_CANCELLED,
                             "cancelled; the partial answers were kept (chat %" G_GINT64_FORMAT
                             ")", confab_chat_get_id (chat));
  /* Some answered, some did not: the others still printed. */
  if (confab_conductor_get_n_failed (conductor) > 0 && exit == CLI_EXIT_OK)
    exit = CLI_EXIT_NETWORK;

  return exit;
}

/* ---- roundtable */

static gboolean
parse_count (const char *text,
             guint64     max,
             guint64    *value)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 1, max, value, NULL);
}

static void
print_roundtable_end (ConfabConductor *conductor)
{
  g_autoptr(GEnumClass) reasons = g_type_class_ref (CONFAB_TYPE_ROUNDTABLE_END);
  GEnumValue *reason = g_enum_get_value (reasons, confab_conductor_get_end_reason (conductor));
  JsonBuilder *builder = confab_cli_json_begin ("end");

  confab_cli_json_add_id (builder, "chat_id",
                          confab_chat_get_id (confab_conductor_get_chat (conductor)));
  confab_cli_json_add_string (builder, "reason", reason != NULL ? reason->value_nick : NULL);
  json_builder_set_member_name (builder, "turns");
  json_builder_add_int_value (builder, g_list_model_get_n_items (G_LIST_MODEL (conductor)));
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, confab_conductor_get_n_failed (conductor));
  json_builder_set_member_name (builder, "tokens");
  json_builder_add_int_value (builder, confab_conductor_get_tokens_used (conductor));
  confab_cli_json_end (builder);
}

int
confab_cli_roundtable (ConfabCli *cli)
{
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(ConfabConductor) conductor = NULL;
  g_autoptr(GPtrArray) participants = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *topic = NULL;
  Output output = { 0 };
  guint64 rounds = CONFAB_CONDUCTOR_DEFAULT_ROUNDS;
  guint64 budget = 0;
  guint sigint_id;
  int exit = CLI_EXIT_OK;

  /* -m MODEL[=NAME]: a model's own name has no "=". */
  for (guint i = 0; cli->models != NULL && cli->models[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (cli->models[i], "=", 2);
      g_autoptr(ConfabParticipant) participant = NULL;

      if ((exit = check_model (parts[0], "-m")) != CLI_EXIT_OK)
        return exit;
      participant = confab_participant_new (parts[0], parts[1] != NULL ? g_strstrip (parts[1])
                                                                       : NULL, NULL);
      for (guint j = 0; j < participants->len; j++)
        if (g_str_equal (confab_participant_get_name (participant),
                         confab_participant_get_name (g_ptr_array_index (participants, j))))
          return confab_cli_error (CLI_EXIT_LOCAL,
                                   "two participants are called “%s”: name them, "
                                   "-m MODEL=NAME", confab_participant_get_name (participant));
      g_ptr_array_add (participants, g_steal_pointer (&participant));
    }
  if (participants->len < 2)
    return confab_cli_error (CLI_EXIT_LOCAL, "roundtable needs two participants or more: "
                             "-m PROVIDER:MODEL[=NAME] -m PROVIDER:MODEL[=NAME]");
  if (cli->rounds != NULL && !parse_count (cli->rounds, MAX_ROUNDS, &rounds))
    return confab_cli_error (CLI_EXIT_LOCAL, "--rounds: “%s” is not a number from 1 to %d",
                             cli->rounds, MAX_ROUNDS);
  if (cli->budget != NULL && !parse_count (cli->budget, G_MAXINT64, &budget))
    return confab_cli_error (CLI_EXIT_LOCAL, "--budget: “%s” is not a number of tokens",
                             cli->budget);
  if (cli->moderator != NULL &&
      (exit = check_model (cli->moderator, "--moderator")) != CLI_EXIT_OK)
    return exit;

  chat = prepare (cli, "roundtable", &topic, &exit);
  if (chat == NULL)
    return exit;

  conductor = confab_conductor_new (cli->store, chat, cli->catalogue);
  for (guint i = 0; i < participants->len; i++)
    confab_conductor_add_participant (conductor, g_ptr_array_index (participants, i));
  confab_conductor_set_rounds (conductor, rounds);
  confab_conductor_set_moderator (conductor, cli->moderator);
  confab_conductor_set_token_budget (conductor, budget);
  follow (&output, cli, conductor);

  cli->cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, on_sigint_cb, cli->cancellable);
  confab_conductor_roundtable_async (conductor, topic, cli->cancellable, confab_cli_async_cb,
                                     &result);
  if (!confab_conductor_roundtable_finish (conductor, confab_cli_await (&result), &error))
    {
      g_source_remove (sigint_id);
      return fail_early (cli, conductor, error);
    }
  g_source_remove (sigint_id);

  if (!cli->json)
    end_line (&output);
  else
    print_roundtable_end (conductor);

  if (g_cancellable_is_cancelled (cli->cancellable))
    return confab_cli_error (CLI_EXIT_CANCELLED,
                             "stopped; what was said was kept (chat %" G_GINT64_FORMAT ")",
                             confab_chat_get_id (chat));
  if (confab_conductor_get_end_reason (conductor) == CONFAB_ROUNDTABLE_END_FAILED)
    return confab_cli_error (CLI_EXIT_NETWORK, "every participant failed in round %u",
                             confab_conductor_get_round (conductor));

  return confab_conductor_get_n_failed (conductor) > 0 ? CLI_EXIT_NETWORK : CLI_EXIT_OK;
}
