import { fileURLToPath } from "node:url";

/** The app's own folder (above `src/` or `dist/`): adapter packages are resolved from here, wherever the process runs. */
export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
