// The built-in themes, identical to themes/*.json (a test keeps them in step), so the binary needs no files.

enum BuiltinThemes {
    static let sources: [(name: String, json: String)] = [
        ("dark", #"""
{
  "name": "dark",
  "description": "Default dark theme (256 colours).",
  "slots": {
    "background": {"fg": "#d0d0d0", "bg": "#1c1c1c"},
    "text": {"fg": "#d0d0d0"},
    "dim": {"fg": "#8a8a8a"},
    "user": {"fg": "#87afff", "bold": true},
    "assistant": {"fg": "#d0d0d0"},
    "thinking": {"fg": "#8a8a8a", "italic": true},
    "tool": {"fg": "#d7af5f"},
    "code": {"fg": "#afd787", "bg": "#262626"},
    "accent": {"fg": "#5fd7d7", "bold": true},
    "warning": {"fg": "#ffaf00"},
    "error": {"fg": "#ff5f5f", "bold": true},
    "status": {"fg": "#1c1c1c", "bg": "#87afd7"},
    "keyword": {"fg": "#d787d7"},
    "string": {"fg": "#d7af87"},
    "comment": {"fg": "#949494", "italic": true},
    "number": {"fg": "#87d7ff"},
    "type": {"fg": "#87d7af"}
  }
}
"""#),
        ("light", #"""
{
  "name": "light",
  "description": "Light background (256 colours).",
  "slots": {
    "background": {"fg": "#303030", "bg": "#ffffff"},
    "text": {"fg": "#303030"},
    "dim": {"fg": "#6c6c6c"},
    "user": {"fg": "#005faf", "bold": true},
    "assistant": {"fg": "#303030"},
    "thinking": {"fg": "#5f5f5f", "italic": true},
    "tool": {"fg": "#875f00"},
    "code": {"fg": "#005f00", "bg": "#eeeeee"},
    "accent": {"fg": "#007575", "bold": true},
    "warning": {"fg": "#af5f00"},
    "error": {"fg": "#d70000", "bold": true},
    "status": {"fg": "#ffffff", "bg": "#005f87"},
    "keyword": {"fg": "#8700af"},
    "string": {"fg": "#875f00"},
    "comment": {"fg": "#6c6c6c", "italic": true},
    "number": {"fg": "#005f87"},
    "type": {"fg": "#005f5f"}
  }
}
"""#),
        ("high-contrast", #"""
{
  "name": "high-contrast",
  "description": "Black and white with bright accents, for low vision and bright rooms.",
  "slots": {
    "background": {"fg": "#ffffff", "bg": "#000000"},
    "text": {"fg": "#ffffff"},
    "dim": {"fg": "#d0d0d0"},
    "user": {"fg": "#ffff00", "bold": true},
    "assistant": {"fg": "#ffffff"},
    "thinking": {"fg": "#d0d0d0", "italic": true},
    "tool": {"fg": "#00ffff", "bold": true},
    "code": {"fg": "#00ff00", "bg": "#000000", "underline": false},
    "accent": {"fg": "#ff00ff", "bold": true},
    "warning": {"fg": "#ffff00", "bold": true},
    "error": {"fg": "#ff0000", "bold": true, "reverse": true},
    "status": {"fg": "#000000", "bg": "#ffffff", "bold": true},
    "keyword": {"fg": "#ff87ff", "bold": true},
    "string": {"fg": "#ffff87"},
    "comment": {"fg": "#d0d0d0", "italic": true},
    "number": {"fg": "#87ffff"},
    "type": {"fg": "#87ff87"}
  }
}
"""#),
        ("basic16", #"""
{
  "name": "basic16",
  "description": "Only the terminal's own 16 colours, for consoles and limited terminals.",
  "slots": {
    "background": {"fg": "default", "bg": "default"},
    "text": {"fg": "default"},
    "dim": {"fg": "bright-black"},
    "user": {"fg": "bright-blue", "bold": true},
    "assistant": {"fg": "default"},
    "thinking": {"fg": "bright-black", "italic": true},
    "tool": {"fg": "yellow"},
    "code": {"fg": "green"},
    "accent": {"fg": "cyan", "bold": true},
    "warning": {"fg": "yellow", "bold": true},
    "error": {"fg": "red", "bold": true},
    "status": {"fg": "black", "bg": "cyan"},
    "keyword": {"fg": "magenta"},
    "string": {"fg": "yellow"},
    "comment": {"fg": "bright-black", "italic": true},
    "number": {"fg": "cyan"},
    "type": {"fg": "bright-green"}
  }
}
"""#),
    ]
}
