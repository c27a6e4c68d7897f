/* main.c: confab-cli, Confab from the command line (see confab-cli --help
 * and /work/shared/CLI.md for the contract scripts rely on).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "confab-cli.h"

static const char help_text[] =
  "Usage: confab-cli COMMAND [OPTIONS…] [ARGUMENTS…]\n"
  "\n"
  "Talk to AI models from the command line, in the same chats as the Confab app.\n"
  "\n"
  "Commands:\n"
  "  models [--json]                 list the models of every configured provider\n"
  "  keys set PROVIDER               store PROVIDER's API key in the keyring; the key\n"
  "                                  is read from stdin (typed without echo on a\n"
  "                                  terminal)\n"
  "  keys delete PROVIDER            remove PROVIDER's API key from the keyring\n"
  "  chat [--new | --chat ID] -m MODEL [--thread MSG_ID] [--json] PROMPT\n"
  "                                  send PROMPT (\"-\" reads it from stdin) and stream\n"
  "                                  the reply; without --chat a new chat is started\n"
  "                                  in the first project (\"Personal\" if none)\n"
  "  chats [--json]                  list the chats: id, project, title, last model\n"
  "  show CHAT_ID [--thread MSG_ID] [--json]\n"
  "                                  print a chat's main line (or one thread), oldest\n"
  "                                  first, with each reply's model and status\n"
  "  import FILE [--json]            import a ChatGPT conversations.json or a Confab\n"
  "                                  JSON export into the project \"Imported\"; prints\n"
  "                                  CHAT_ID<TAB>TITLE per chat created (all or nothing)\n"
  "  export CHAT_ID --format markdown|json [-o FILE]\n"
  "                                  write a chat (its current line, with threads) to\n"
  "                                  FILE or stdout\n"
  "  compare -m MODEL -m MODEL [-m …] [--synthesize MODEL] [--json] PROMPT\n"
  "                                  send PROMPT to every MODEL at once; the answers\n"
  "                                  are kept as alternatives of one reply (the first\n"
  "                                  on the chat's main line); --synthesize asks MODEL\n"
  "                                  for one answer made from all of them, which\n"
  "                                  becomes the main line's reply\n"
  "  roundtable -m MODEL[=NAME] -m MODEL[=NAME] [--rounds N] [--json] TOPIC\n"
  "                                  the models (one more -m each) discuss TOPIC in\n"
  "                                  turns, as NAME (default: the model's name), for N\n"
  "                                  rounds (default 2), each seeing the whole\n"
  "                                  transcript; also [--moderator MODEL]: a model names\n"
  "                                  each next speaker (else round-robin), and\n"
  "                                  [--budget TOKENS]: stop once the turns used that\n"
  "                                  many tokens. The transcript is an ordinary chat\n"
  "  server register|login --server URL --user NAME\n"
  "                                  create an account on a confabd server, or sign\n"
  "                                  in; the password is read from stdin (typed\n"
  "                                  without echo on a terminal). The session is kept\n"
  "                                  per server in the keyring, one per --data-dir;\n"
  "                                  the room commands use the last one signed in\n"
  "                                  (or --server URL)\n"
  "  server logout [--server URL]    sign out and forget the session\n"
  "  room create NAME [--json]       create a room (you are its owner); prints\n"
  "                                  ROOM_ID<TAB>NAME\n"
  "  room list [--json]              your rooms: ROOM_ID<TAB>NAME<TAB>ROLE<TAB>LAST_SEQ\n"
  "  room invite ROOM_ID --role admin|member|viewer [--uses N] [--expires SECONDS]\n"
  "                                  print a new invite token (default: one use,\n"
  "                                  7 days; --uses 0 is unlimited)\n"
  "  room join INVITE                accept an invite; prints ROOM_ID<TAB>NAME (put --\n"
  "                                  before an INVITE that starts with \"-\")\n"
  "  room send ROOM_ID [--chat ID] TEXT\n"
  "                                  post TEXT (\"-\" reads stdin); prints\n"
  "                                  SEQ<TAB>MESSAGE_ID\n"
  "  room ask ROOM_ID -m MODEL [--chat ID] PROMPT\n"
  "                                  post PROMPT, call MODEL here (your key, never\n"
  "                                  the server's) and relay its reply to the room\n"
  "                                  as it streams; the reply is printed too\n"
  "  room tail ROOM_ID [--since SEQ] [--follow] [--json]\n"
  "                                  print the room's events after SEQ (default: all),\n"
  "                                  one per line: SEQ<TAB>AUTHOR<TAB>TEXT; --follow\n"
  "                                  keeps printing new ones (reconnecting by itself)\n"
  "                                  until Ctrl+C or SIGTERM\n"
  "  room members ROOM_ID [--json]   USER<TAB>ROLE<TAB>online|offline\n"
  "  room role ROOM_ID USER ROLE     give USER another role (admin, member, viewer)\n"
  "  room kick ROOM_ID USER          remove USER from the room\n"
  "  room revoke INVITE              revoke an invite of a room you manage\n"
  "  help                            show this text\n"
  "\n"
  "Options:\n"
  "  -m, --model PROVIDER:MODEL      the model, e.g. openai:gpt-4o-mini,\n"
  "                                  anthropic:claude-sonnet-4-5, gemini:gemini-2.5-flash,\n"
  "                                  openrouter:openai/gpt-4o-mini, ollama:llama3.2\n"
  "  --new                           start a new chat (the default)\n"
  "  --chat ID                       continue chat ID, with any model: the whole\n"
  "                                  history goes along, replies of other models\n"
  "                                  attributed\n"
  "  --synthesize MODEL              compare: the model that writes the final answer\n"
  "  --rounds N                      roundtable: rounds to hold (default 2)\n"
  "  --moderator MODEL               roundtable: a model that picks each next speaker\n"
  "  --budget TOKENS                 roundtable: stop once this many tokens are used\n"
  "  --thread MSG_ID                 reply in the thread of message MSG_ID; the model\n"
  "                                  sees the chat up to that message and the thread\n"
  "  --json                          one JSON object per line, each with an \"event\"\n"
  "  --data-dir DIR                  use the store in DIR instead of\n"
  "                                  $XDG_DATA_HOME/confab\n"
  "  --base-url URL                  send every provider's requests to URL\n"
  "  --base-url PROVIDER=URL         send PROVIDER's requests to URL (repeatable);\n"
  "                                  a base URL works with or without /v1\n"
  "  --server URL                    the confabd server (http://HOST:PORT or\n"
  "                                  https://HOST:PORT)\n"
  "  --user NAME                     the account on the server\n"
  "  -f, --follow                    room tail: keep printing new events\n"
  "  -h, --help                      show this text\n"
  "  --version                       show the version\n"
  "Options may stand anywhere on the line; put -- before a prompt that starts\n"
  "with \"-\".\n"
  "\n"
  "Providers: openai, anthropic, gemini, openrouter (API key needed) and ollama\n"
  "(listed when it answers on OLLAMA_HOST, default 127.0.0.1:11434).\n"
  "\n"
  "Environment:\n"
  "  OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY\n"
  "        a provider's key; takes precedence over the keyring (without a D-Bus\n"
  "        session the keyring is not needed when these are set)\n"
  "  OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GEMINI_BASE_URL, OPENROUTER_BASE_URL,\n"
  "  OLLAMA_HOST\n"
  "        a provider's base URL (--base-url wins)\n"
  "  XDG_DATA_HOME  where the store lives (--data-dir wins)\n"
  "\n"
  "Output:\n"
  "  stdout carries results only. chat prints the reply as it streams, then a\n"
  "  newline; with --json: {\"event\":\"chat\",\"chat_id\":…}, then\n"
  "  {\"event\":\"delta\",\"text\":…} events, then {\"event\":\"done\",\"stop_reason\":…,\n"
  "  \"usage\":{…}} or {\"event\":\"error\",\"kind\":…,\"message\":…}.\n"
  "  chats prints ID<TAB>PROJECT<TAB>TITLE<TAB>MODEL lines (or \"chat\" events).\n"
  "  show --json prints the \"chat\" event, then one \"message\" event per message:\n"
  "  id, role, model (PROVIDER:MODEL, null for the user), status, created (Unix\n"
  "  seconds), text.\n"
  "  models prints PROVIDER:MODEL<TAB>NAME<TAB>CONTEXT_WINDOW lines (or a \"models\"\n"
  "  event and one \"model\" event each).\n"
  "  compare prints, for each model in the order given, a line \"== MODEL ==\" and its\n"
  "  answer (the first as it streams, the others once they are its turn), then\n"
  "  \"== synthesis (MODEL) ==\" and the synthesis; a model that failed prints what\n"
  "  it said and its error goes to stderr. With --json: {\"event\":\"chat\",…,\n"
  "  \"models\":[…]}, then per model \"delta\", \"done\" or \"error\" events with\n"
  "  \"model\" (and \"synthesis\":true for the synthesis), then {\"event\":\"end\",\n"
  "  \"answered\":N,\"failed\":N}.\n"
  "  roundtable prints each turn as \"== NAME (MODEL), round R ==\" and its text;\n"
  "  with --json: \"chat\" (with \"participants\"), then \"turn\", \"delta\", \"done\"\n"
  "  or \"error\" events with \"name\", \"model\" and \"round\", then {\"event\":\"end\",\n"
  "  \"reason\":\"rounds\"|\"budget\"|\"stopped\"|\"failed\",\"turns\":N}.\n"
  "  Ctrl+C during a reply stops it; what arrived is kept, marked cancelled.\n"
  "\n"
  "Rooms:\n"
  "  A room holds chats. room send and room ask post into the room's first chat\n"
  "  (the oldest in its log), creating \"General\" when it has none; --chat ID\n"
  "  picks another. In room tail's TEXT, a message or reply is its text and\n"
  "  other events say what happened (\"* ada joined as member\"); backslash,\n"
  "  tab and line breaks are written \\\\, \\t, \\n. With --json every stored event\n"
  "  is one object: {\"event\":NAME,\"room_id\",\"seq\",\"author\",\"time\", and the\n"
  "  event's data (\"text\", \"chat\", \"message\"…)}, then {\"event\":\"synced\",\"seq\"}\n"
  "  at the end of the replay; --follow adds the live \"stream.delta\", \"typing\"\n"
  "  and \"presence\" frames and the replies streaming when it started\n"
  "  ({\"event\":\"stream\",\"message\",\"text\",\"author\"}).\n"
  "\n"
  "Exit status:\n"
  "  0  success\n"
  "  1  usage or local error (bad arguments, the store, the keyring)\n"
  "  2  the provider or the server refused: no or wrong key or password, no\n"
  "     permission, unknown model, room or user, rate limit, prompt too long,\n"
  "     bad request, overloaded, session expired\n"
  "  3  network or stream failure: unreachable, connection lost, reply cut short;\n"
  "     compare and roundtable: some models failed (the others' answers printed)\n"
  "  130  cancelled with Ctrl+C\n"
  "Errors are one line on stderr: \"confab-cli: error: …\".\n";

typedef int (*VerbFunc) (ConfabCli *cli);

static const struct
{
  const char *name;
  VerbFunc    func;
} verbs[] = {
  { "models", confab_cli_models },
  { "keys", confab_cli_keys },
  { "chat", confab_cli_chat },
  { "chats", confab_cli_chats },
  { "show", confab_cli_show },
  { "import", confab_cli_import },
  { "export", confab_cli_export },
  { "server", confab_cli_server },
  { "room", confab_cli_room },
  { "compare", confab_cli_compare },
  { "roundtable", confab_cli_roundtable },
};

/* An option given to a verb that has no use for it is a mistake worth
 * saying, not something to ignore silently. */
static int
check_verb_options (ConfabCli  *cli,
                    const char *verb)
{
  gboolean chat = g_str_equal (verb, "chat");
  gboolean show = g_str_equal (verb, "show");
  /* room checks its own (confab-cli-room.c). */
  gboolean room = g_str_equal (verb, "room");
  gboolean server = g_str_equal (verb, "server");
  gboolean compare = g_str_equal (verb, "compare");
  gboolean roundtable = g_str_equal (verb, "roundtable");
  gboolean multi = compare || roundtable;

  if (!chat && !room && !multi && cli->model != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL,
                             "-m/--model is for chat, compare, roundtable and room ask only");
  if (!chat && !multi && cli->new_chat)
    return confab_cli_error (CLI_EXIT_LOCAL, "--new is for chat, compare and roundtable only");
  if (!chat && !room && !multi && cli->chat_id != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "--chat is for chat, compare, roundtable, "
                             "room send and room ask only");
  if (!compare && cli->synthesize != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "--synthesize is for compare only");
  if (!roundtable && (cli->rounds != NULL || cli->moderator != NULL || cli->budget != NULL))
    return confab_cli_error (CLI_EXIT_LOCAL,
                             "--rounds, --moderator and --budget are for roundtable only");
  if (!room && !server && cli->server != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "--server is for server and room only");
  if (!server && !room && cli->user != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "--user is for server register and login only");
  if (!room && (cli->role != NULL || cli->uses != NULL || cli->expires != NULL ||
                cli->since != NULL || cli->follow))
    return confab_cli_error (CLI_EXIT_LOCAL,
                             "--role, --uses, --expires, --since and --follow are for room only");
  if (!chat && !show && cli->thread_id != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "--thread is for chat and show only");
  if (!g_str_equal (verb, "export") && (cli->format != NULL || cli->output != NULL))
    return confab_cli_error (CLI_EXIT_LOCAL, "--format and -o are for export only");

  return CLI_EXIT_OK;
}

static int
run (int    argc,
     char **argv)
{
  g_auto(ConfabCli) cli = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  gboolean help = FALSE;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json, NULL, NULL },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &cli.data_dir, NULL, NULL },
    { "base-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli.base_urls, NULL, NULL },
    { "model", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &cli.models, NULL, NULL },
    { "synthesize", 0, 0, G_OPTION_ARG_STRING, &cli.synthesize, NULL, NULL },
    { "rounds", 0, 0, G_OPTION_ARG_STRING, &cli.rounds, NULL, NULL },
    { "moderator", 0, 0, G_OPTION_ARG_STRING, &cli.moderator, NULL, NULL },
    { "budget", 0, 0, G_OPTION_ARG_STRING, &cli.budget, NULL, NULL },
    { "new", 0, 0, G_OPTION_ARG_NONE, &cli.new_chat, NULL, NULL },
    { "chat", 0, 0, G_OPTION_ARG_STRING, &cli.chat_id, NULL, NULL },
    { "thread", 0, 0, G_OPTION_ARG_STRING, &cli.thread_id, NULL, NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &cli.format, NULL, NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &cli.output, NULL, NULL },
    { "server", 0, 0, G_OPTION_ARG_STRING, &cli.server, NULL, NULL },
    { "user", 0, 0, G_OPTION_ARG_STRING, &cli.user, NULL, NULL },
    { "role", 0, 0, G_OPTION_ARG_STRING, &cli.role, NULL, NULL },
    { "uses", 0, 0, G_OPTION_ARG_STRING, &cli.uses, NULL, NULL },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &cli.expires, NULL, NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &cli.since, NULL, NULL },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &cli.follow, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, NULL, NULL },
    /* Taken as bytes: GOption would convert from the locale's charset,
     * which fails on a UTF-8 prompt in the C locale. */
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  int exit;

  /* One context for every verb: GOption takes options wherever they
   * stand, so global and verb options mix freely with the arguments. */
  context = g_option_context_new (NULL);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s (see confab-cli --help)", error->message);
  /* One model for most verbs: the last -m, as a plain option would. */
  if (cli.models != NULL && cli.models[0] != NULL)
    cli.model = g_strdup (cli.models[g_strv_length (cli.models) - 1]);

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    if (!g_utf8_validate (args[i], -1, NULL))
      {
        char *utf8 = g_locale_to_utf8 (args[i], -1, NULL, NULL, NULL);

        if (utf8 == NULL)
          return confab_cli_error (CLI_EXIT_LOCAL, "argument %u is not valid text", i + 1);
        g_free (args[i]);
        args[i] = utf8;
      }

  if (help || (args != NULL && g_strcmp0 (args[0], "help") == 0))
    {
      fputs (help_text, stdout);
      return CLI_EXIT_OK;
    }
  if (version)
    {
      printf ("confab-cli %s\n", PACKAGE_VERSION);
      return CLI_EXIT_OK;
    }

  if (args == NULL || args[0] == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "no command given (see confab-cli --help)");

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (!g_str_equal (verbs[i].name, args[0]))
        continue;

      exit = check_verb_options (&cli, verbs[i].name);
      if (exit != CLI_EXIT_OK)
        return exit;

      cli.args = g_strdupv (args + 1);
      return verbs[i].func (&cli);
    }

  return confab_cli_error (CLI_EXIT_LOCAL, "unknown command “%s” (see confab-cli --help)",
                           args[0]);
}

int
main (int    argc,
      char **argv)
{
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("confab-cli");
  /* A reader that goes away (| head) must not kill us mid-reply: the
   * reply is still finished and stored; writes to the pipe just fail. */
  signal (SIGPIPE, SIG_IGN);
  /* Likewise a file size limit: the write fails with EFBIG and the store
   * says so (as the app does), rather than SIGXFSZ killing us mid-write. */
  signal (SIGXFSZ, SIG_IGN);

  status = run (argc, argv);
  confab_secrets_disconnect ();

  return status;
}
