"""Site directives generated from the loss contracts."""
