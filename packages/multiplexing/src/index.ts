// Public entry of the package; filled in by its issue.
export const PACKAGE_NAME = '@decanter/multiplexing';
