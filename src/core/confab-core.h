/* confab-core.h: the one header the app, the CLI, the server and tests include.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-types.h"
#include "confab-project.h"
#include "confab-chat.h"
#include "confab-message.h"
#include "confab-message-list.h"
#include "confab-tail-model.h"
#include "confab-store.h"
#include "confab-provider.h"
#include "confab-model-catalogue.h"
#include "confab-conversation.h"
#include "confab-chat-session.h"
#include "confab-conductor.h"
#include "confab-secrets.h"
