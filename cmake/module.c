/*
 * Linked into every module library, so that a module whose folder is still
 * empty builds as an empty library rather than failing the configure step.
 */
typedef int mix_module_translation_unit_is_not_empty;
