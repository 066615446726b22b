// ESLint (flat config): typescript-eslint's type-aware recommended rules over every TypeScript
// file the project type-checks. `npm run lint` must report nothing (warnings fail too).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'bench/.work/', 'coverage/', '**/*.js', '**/*.mjs', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
