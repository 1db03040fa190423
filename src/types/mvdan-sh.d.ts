// mvdan-sh (the GopherJS build of mvdan/sh) ships no type declarations; src/buildspec/shell.ts is its only user.
declare module 'mvdan-sh' {
  const sh: { syntax: any };
  export default sh;
}
