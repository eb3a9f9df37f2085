// The host side of MCP Apps for the browser tests: the official AppBridge, a second
// implementation of the protocol that the player (written by hand) must work with.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

globalThis.McpAppsHost = { AppBridge, PostMessageTransport };
