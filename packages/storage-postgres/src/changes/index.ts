export { ChangeLog } from "./change-log.js";
