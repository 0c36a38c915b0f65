import type { Command } from 'commander';

/** Help text is wrapped at this width in the reference, whatever the terminal. */
export const REFERENCE_HELP_WIDTH = 100;

const INTRO = `# byteair-sync command reference

Generated from the commands' own \`--help\` (\`npm run build && node packages/byteair-sync/dist/src/cli/write-cli-reference.js\`;
a test fails while this file is out of date), so it says exactly what the installed version does.

Every command is configured by the environment variables of the README's "Configuration" table
(or the JSON file named by \`BYTEAIR_CONFIG_FILE\`). Exit codes: \`0\` success; \`1\` the operation or API
call failed; \`2\` bad input or configuration, with one line naming the flag, file line or setting and
the value; \`3\` (\`write\` only) partly applied, some records rejected. Errors are one line on stderr:
\`byteair-sync: CODE: message\`.`;

function allCommands(command: Command, path: readonly string[] = []): Array<{ path: string[]; command: Command }> {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const here = [...path, sub.name()];
      return [{ path: here, command: sub }, ...allCommands(sub, here)];
    });
}

function anchor(path: readonly string[]): string {
  return path.join('-');
}

/** docs/cli.md: an index of the commands, then each command's full help. */
export function renderCliReference(program: Command): string {
  const commands = allCommands(program);
  const index = commands.map(
    ({ path, command }) => `| [\`${path.join(' ')}\`](#${anchor(path)}) | ${command.summary() || command.description().split('\n')[0] || ''} |`,
  );
  // Commander's help ends "after" text with the text itself; the full help is what --help prints.
  const sections = commands.map(({ path, command }) => `## ${path.join(' ')}\n\n\`\`\`text\n${fullHelp(command).trimEnd()}\n\`\`\``);
  return (
    [
      INTRO,
      '| Command | What it does |\n| --- | --- |\n' + index.join('\n'),
      `## byteair-sync\n\n\`\`\`text\n${fullHelp(program).trimEnd()}\n\`\`\``,
      ...sections,
    ].join('\n\n') + '\n'
  );
}

/** What `--help` prints: the help proper plus the text added before and after it. */
function fullHelp(command: Command): string {
  let text = '';
  command.configureOutput({ ...command.configureOutput(), writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}
