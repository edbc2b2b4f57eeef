/**
 * A problem with the generator's input. Its message is one line that names the file
 * (and the definition or path) and says what is wrong; the CLI prints it without a stack.
 */
export class GeneratorError extends Error {
  override name = "GeneratorError";
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.file = file;
  }
}
