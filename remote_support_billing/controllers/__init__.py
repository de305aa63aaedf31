from . import portal_dunning
