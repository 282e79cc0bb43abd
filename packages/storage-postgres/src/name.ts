/** The adapter's name: in configuration (`adapter: "postgres"`), logs and `describe()`. */
export const NAME = "postgres";
