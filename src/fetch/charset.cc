// Placeholder translation unit; encoding detection replaces it.
namespace riptide::fetch {}
