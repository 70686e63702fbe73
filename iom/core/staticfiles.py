from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed storage, also rewriting ES module imports.

    init.js imports the GOV.UK and MoJ modules by relative path; without this the hashed
    names would not match and start-up would fail in production only.
    """

    support_js_module_import_aggregation = True
