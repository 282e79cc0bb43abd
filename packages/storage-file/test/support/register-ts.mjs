// `node --import ./register-ts.mjs`: installs ts-loader.mjs.
import { register } from "node:module";

register("./ts-loader.mjs", import.meta.url);
