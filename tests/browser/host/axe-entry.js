// axe-core, the accessibility checker the browser tests run inside the player's iframe
// (injected as an inline script, which the player's CSP allows; nothing is fetched).
import axe from "axe-core";

globalThis.axe = axe;
