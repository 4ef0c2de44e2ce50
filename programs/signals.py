"""What programs tell the apps above them, which it may not import: a program has closed.

Receivers (connected in their AppConfig.ready()) run inside the closing transaction and return
a dict of counts for the coordinator's message, such as {"completed": 3}.
"""

from django.dispatch import Signal

# program=Program, by=User, now=datetime
program_closed = Signal()
