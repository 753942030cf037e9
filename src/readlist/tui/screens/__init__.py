"""The app's screens: the main screen and the dialogs it opens."""
