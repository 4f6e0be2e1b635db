import '@xyflow/react/dist/style.css';
import './base.css';
import './panels.css';
