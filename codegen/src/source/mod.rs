//! Query files: statement splitting, annotations, parameters (see the module brief).
