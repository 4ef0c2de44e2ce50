class ServiceError(Exception):
    """A business rule said no. The message is translated and safe to show to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
