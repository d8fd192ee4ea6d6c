"""eksguard's pytest plugin: synthesize, deploy to an AWS emulator, assert, tear down."""
