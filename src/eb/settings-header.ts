/** The buildspec.yml key the EB CLI reads its CodeBuild settings from (ebcli/core/fileoperations.py). Kept apart from the YAML reader so checks can name it without loading `yaml`. */
export const EB_SETTINGS_HEADER = 'eb_codebuild_settings';
